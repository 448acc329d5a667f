"""A browser as the demo's tours need one (scripts/demo.sh): pages read as JSON, forms posted with
the cookies the pages set, and the forms' token read from the `cn_csrf` cookie — one per site, the
last set."""

import http.cookiejar
import json
import urllib.parse
import urllib.request


class Browser:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        with self.opener.open(url, timeout=30) as r:
            return json.load(r)

    def post(self, url, fields):
        """Posts `fields` URL-encoded (a redirect is followed); the final address and the body."""
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(urllib.request.Request(url, data=data), timeout=30) as r:
            return r.geturl(), r.read().decode()

    def post_files(self, url, fields, files):
        """Posts `fields` and `files` (name, filename, bytes) as multipart/form-data, as a browser
        sends a form with a file input; the final address and the body."""
        boundary = "----CreditNetDemoBoundary"
        body = b""
        for name, value in fields.items():
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, filename, data in files:
            body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with self.opener.open(request, timeout=30) as r:
            return r.geturl(), r.read().decode()

    def token(self):
        return [c.value for c in self.jar if c.name == "cn_csrf"][-1]
