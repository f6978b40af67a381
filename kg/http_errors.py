"""What an HTTP error answer says, and whether sending the request again may help.

Servers answer errors in HTML pages (Virtuoso puts its SQL error in ``<xmp>`` under an ``<h3>``),
in plain text that echoes the query, or in JSON; kg shows their words as one line of text. Virtuoso
sends permission and syntax errors as HTTP 500 with an SQL state: a 5xx is temporary unless its
SQL state says the request itself is at fault.
"""

from __future__ import annotations

import html
import re

__all__ = ["is_html", "server_message", "sql_state", "transient_failure"]



_HTML = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html)", re.IGNORECASE)
_TAG_TEXT = {
    tag: re.compile(rf"<{tag}\b[^>]*>(.*?)</{tag}\s*>", re.IGNORECASE | re.DOTALL)
    for tag in ("xmp", "pre", "h3", "h1", "title", "body")
}
_SQL_STATE = re.compile(r"\b(?:Virtuoso|Error)\s+([0-9A-Z]{5})\b")
_RETRY_SQL_STATES = ("08", "40", "S1T00", "HYT00", "HYT01")  # connection, rollback, timeouts


def is_html(body: bytes, content_type: str = "") -> bool:
    """Whether a body is an HTML page (by its media type or its first bytes).

    >>> is_html(b"<!DOCTYPE HTML PUBLIC ...><html>"), is_html(b"", "text/html"), is_html(b"{}")
    (True, False, False)
    """
    if not body.strip():
        return False
    return "html" in content_type.lower() or bool(_HTML.match(body[:512]))


def server_message(body: bytes, content_type: str = "", limit: int = 300) -> str:
    r"""Return what an error answer says as one line of text: an HTML page's message, not its tags.

    From an HTML page: the text of ``<xmp>`` or ``<pre>`` (where Virtuoso puts the SQL error)
    after the ``<h3>`` heading, else the ``<h1>``, ``<title>`` or body text. From anything else:
    its first lines, up to Virtuoso's echo of the query.

    >>> page = (b"<html><head><title>SPARQL Graph Protocol request failed</title></head><body>"
    ...         b"<h1>HTTP/1.1 403 Forbidden</h1><h3>Error 42000</h3><xmp>SQ110:SECURITY: "
    ...         b"Permission denied for delete from DB.DBA.RDF_QUAD</xmp></body></html>")
    >>> server_message(page, "text/html")
    'Error 42000: SQ110:SECURITY: Permission denied for delete from DB.DBA.RDF_QUAD'
    >>> server_message(b"Virtuoso 37000 Error SP031: too long\n\nSPARQL query:\nINSERT ...")
    'Virtuoso 37000 Error SP031: too long'
    """
    text = body[: limit * 40].decode("utf-8", errors="replace")
    if is_html(body, content_type):
        found = {tag: _tag_text(pattern, text) for tag, pattern in _TAG_TEXT.items()}
        detail = found["xmp"] or found["pre"]
        if detail:
            said = f"{found['h3']}: {detail}" if found["h3"] else detail
        else:
            said = found["h3"] or found["h1"] or found["title"] or found["body"]
            if not said:
                said = _tag_text(re.compile(r"(.*)", re.DOTALL), text)
    else:
        said = " ".join(text.split("SPARQL query:")[0].split())
    return said if len(said) <= limit else said[: limit - 3] + "..."


def _tag_text(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    if not match:
        return ""
    inner = re.sub(r"<[^>]+>", " ", match.group(1))
    return " ".join(html.unescape(inner).split())


def sql_state(message: str) -> str | None:
    """Return the SQLSTATE a Virtuoso error message carries, if any.

    >>> sql_state("Virtuoso 42000 Error SR186:SECURITY: No permission"), sql_state("oops")
    ('42000', None)
    """
    match = _SQL_STATE.search(message)
    return match.group(1) if match else None


def transient_failure(status: int, message: str = "") -> bool:
    """Whether an HTTP error answer may pass when the same request is sent again.

    429, 408, 425, 502, 503 and 504 may; any other 4xx will not. A 5xx may, unless its message
    carries an SQL state that says the request itself is at fault: Virtuoso sends permission
    errors (42000) and syntax or size errors (37000) as 500.

    >>> transient_failure(503), transient_failure(404), transient_failure(500, "oops")
    (True, False, True)
    >>> transient_failure(500, "Error 42000: SQ110:SECURITY: Permission denied")
    False
    >>> transient_failure(500, "Virtuoso 40001 Error SR172: Transaction deadlocked")
    True
    """
    if status in (408, 425, 429, 502, 503, 504):
        return True
    if status < 500 or status in (501, 505):
        return False
    state = sql_state(message)
    return state is None or state.startswith(_RETRY_SQL_STATES)
