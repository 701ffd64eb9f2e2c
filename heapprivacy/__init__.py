"""heapprivacy: GDPR / CCPA erasure requests against Heap Analytics, end to end."""

__version__ = "0.1.0"
