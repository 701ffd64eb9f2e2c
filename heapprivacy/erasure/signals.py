"""What a request's lifecycle announces to the apps above erasure, which erasure never imports.

Each signal is sent inside the transaction of the change it announces, with `request` (an
ErasureRequest as just changed), and its receivers run in that transaction: what they record
(the notifications app's email to the subject, notifications/receivers.py) commits or rolls
back with the change. A receiver's error is the change's error.
"""

from django.dispatch import Signal

# The one extension was granted: the new deadline and its reasons are on the request.
request_extended = Signal()
# An officer rejected the request: its reason_code says why.
request_rejected = Signal()
# Heap confirmed the erasure of every subject. Sent only for requests with a requester email:
# a batch completes thousands of requests at once, and the others have nobody to tell.
request_completed = Signal()
# The daily retention run reached `cutoff` (a datetime): each receiver deletes or pseudonymises
# what its app keeps from before it, audits that, and returns its counts ({name: number}).
retention_due = Signal()
