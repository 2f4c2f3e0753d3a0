"""The HTTP side shared by the three stand-ins: routing, bodies (chunked too, as nginx sends
them with proxy_request_buffering off), Go-like answers, an access log line per request.

Answers look like Go's: http.Error -> "text/plain; charset=utf-8", body + "\\n"; JSON as Go's
encoder writes it (<, >, & escaped); beego's ServeJSON indents by two spaces in runmode dev,
which Harbor's app.conf sets.
"""
import json
import re
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import log

STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 412: "Precondition Failed", 415: "Unsupported Media Type",
               500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
               503: "Service Unavailable"}


def go_json(obj, indent=None):
    if indent:
        s = json.dumps(obj, indent=indent, ensure_ascii=False)
    else:
        s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def openapi_json(obj):
    """A Harbor 2.x /api/v2.0 answer's body as go-openapi/runtime's JSONProducer writes it
    (json.Encoder, SetEscapeHTML(false)): compact, <>& kept, U+2028/9 escaped, a newline at the
    end. Keys sorted: go-swagger's generated models declare their fields alphabetically."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return (s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n").encode()


def _reason(code):
    """Go's reason phrase: http.StatusText, else "status code N" (net/http/server.go writeStatusLine)."""
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "status code %d" % code


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = ""
    sys_version = ""
    routes = []  # (method, regex, method name); regex groups are passed as arguments
    json_indent = None
    method_mismatch = 405  # gorilla/mux (adminserver) answers 404 instead

    def version_string(self):
        return ""

    def _dispatch(self):
        self.path_only, _, self.query = self.path.partition("?")
        self._body_read = False
        allowed = False
        for method, pattern, name in self.routes:
            m = re.fullmatch(pattern, self.path_only)
            if not m:
                continue
            if method != self.command and not (method == "GET" and self.command == "HEAD"):
                allowed = True
                continue
            self._started = False
            try:
                getattr(self, name)(*m.groups())
            except (BrokenPipeError, ConnectionResetError):
                return
            except Exception as e:  # Go's net/http (and beego) answer 500 for a handler that panics
                log.error("%s %s: %r\n%s" % (self.command, self.path_only, e, traceback.format_exc()))
                if not self._started:
                    self.http_error(500)
                else:
                    self.close_connection = True
            self._drain()
            return
        self._drain()
        if allowed and self.method_mismatch == 405:
            self.http_error(405)
        else:
            self.not_found()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch

    def not_found(self):
        self.http_error(404, "404 page not found")

    # -- request bodies
    def body_chunks(self):
        """The request body as it arrives, Content-Length or chunked."""
        self._body_read = True
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left:
                    data = self.rfile.read(min(left, 65536))
                    if not data:
                        return
                    left -= len(data)
                    yield data
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                data = self.rfile.read(min(left, 65536))
                if not data:
                    return
                left -= len(data)
                yield data

    def body(self):
        return b"".join(self.body_chunks())

    def _drain(self):
        if not self._body_read:
            for _ in self.body_chunks():
                pass

    # -- answers
    def send_response(self, code, message=None):
        self._started = True
        super().send_response(code, message)

    def send_status(self, code, own_date=True):
        """The status line as Go's server writes it for any code, and a Date line unless the
        handler sets its own (a proxy passing the upstream's)."""
        self._started = True
        self.log_request(code)
        self.send_response_only(code, _reason(code))
        if own_date:
            self.send_header("Date", self.date_time_string())

    def reply(self, code, body=b"", content_type=None, headers=()):
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, obj, code=200):
        self.reply(code, go_json(obj, self.json_indent), "application/json; charset=utf-8")

    def http_error(self, code, text=None):
        text = STATUS_TEXT.get(code, "") if text is None else text
        self.reply(code, (text + "\n").encode(), "text/plain; charset=utf-8",
                   [("X-Content-Type-Options", "nosniff")])

    def log_message(self, fmt, *args):
        # Apache common log format, as gorilla's LoggingHandler writes it for the adminserver.
        sys.stdout.write('%s - - [%s] %s\n' % (self.client_address[0],
                                               time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
                                               fmt % args))
        sys.stdout.flush()

    def log_request(self, code="-", size="-"):
        self.log_message('"%s" %s %s', self.requestline, str(getattr(code, "value", code)), size)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
