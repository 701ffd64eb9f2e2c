"""A failed Heap call in words for an officer: what failed, and what to do about it.

Attempts, polls and the audit trail store the error's class name (it is the evidence, and what
the retry policy keyed on); pages show these words instead.
"""

WORDS = {
    "HeapConnectionError": (
        "Heap was not reached (no connection): nothing was sent. It is retried on its own; "
        "if it persists, check the network and Heap's status page"
    ),
    "HeapTimeout": (
        "Heap did not answer in time: it may have received the call. It is retried on its own, "
        "and sending a deletion twice does no harm"
    ),
    "HeapServerError": "Heap failed on its side (server error). It is retried on its own",
    "HeapRateLimited": "Heap asked us to slow down. It is retried after the wait Heap gave",
    "HeapProtocolError": (
        "Heap answered something we could not read. It is retried on its own; if it persists, "
        "check the account's region and base URL"
    ),
    "HeapAuthError": (
        "Heap refused the account's credentials: check its app_id and API key on the Heap "
        "accounts page"
    ),
    "HeapBadRequest": (
        "Heap refused the call as invalid: an officer has to look at the batch before it is "
        "sent again"
    ),
    "HeapNotFound": (
        "Heap does not know this deletion request: check that the account's region matches "
        "the environment it was sent to"
    ),
    "HeapValidationError": "Refused before sending: a subject breaks one of Heap's limits",
    "DecryptionError": (
        "Nothing was sent: no key in FIELD_ENCRYPTION_KEYS decrypts the account's API key; "
        "restore the key it was saved under, or save the API key again"
    ),
}


def heap_error_words(error_class: str) -> str:
    """The words for a stored error class; an unknown one points to the server log."""
    if not error_class:
        return "Heap refused the call"
    return WORDS.get(error_class, "An unexpected error: the server log has the details")
