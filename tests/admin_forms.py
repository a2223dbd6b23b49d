"""Read an admin form as a browser does, so tests post exactly what the page offers."""

from __future__ import annotations

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """Collects the named fields of the first form with id `form_id` (default: any)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post" and "id" in a:
            self._in_form = a["id"].endswith("_form")
        if not self._in_form:
            return
        if tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.data[self._select].append(a.get("value", ""))
            return
        name = a.get("name")
        if not name or "__prefix__" in name:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
                return
            self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select, self._first_option = name, None
            self._multiple = "multiple" in a
            self.data.setdefault(name, [])
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            # A single select with nothing selected sends its first option, as browsers do.
            if (
                not self._multiple
                and not self.data[self._select]
                and self._first_option is not None
            ):
                self.data[self._select].append(self._first_option)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea] = ["".join(self._text).lstrip("\n")]
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(client, url: str) -> dict[str, list[str] | str]:
    """The data a browser would post back unchanged from the admin page at `url`."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    reader = FormReader()
    reader.feed(response.content.decode())
    return {name: values for name, values in reader.data.items() if values != []}


def post(client, url: str, data: dict):
    """Post like a browser: lists become repeated fields."""
    return client.post(url, data)
