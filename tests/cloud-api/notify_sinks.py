#!/usr/bin/python3
"""Receivers for the alert notification tests, on 127.0.0.1 and a port the OS picks.

  notify_sinks.py smtp PORT_FILE OUT_DIR [--fail-first N] [--tls-cert C --tls-key K]
  notify_sinks.py webhook PORT_FILE OUT_DIR SECRET_FILE [--fail-first N] [--hang-first N]
  notify_sinks.py telegram PORT_FILE OUT_DIR TOKEN_FILE --tls-cert C --tls-key K
                  [--fail-first N] [--retry-after S]
  notify_sinks.py proxy PORT_FILE OUT_DIR

smtp: a real SMTP server (Debian python3-aiosmtpd); each accepted message becomes
OUT_DIR/mail-<n>.json with the envelope, the decoded subject and body, and whether the session
used STARTTLS. With a certificate it offers STARTTLS and requires it before MAIL.
webhook: an HTTP server that checks the HMAC-SHA256 signature (X-Printmon-Signature over
"<X-Printmon-Timestamp>.<body>" with the secret read from SECRET_FILE) and appends one line per
request to OUT_DIR/requests.jsonl: the idempotency key, whether the signature verified, whether
the key was seen before (a duplicate the receiver drops), and the status answered.
--fail-first N answers the first N requests/messages with 500/451; --hang-first N holds the
first N requests without answering (the sender must time out) and notes each in OUT_DIR/hung.jsonl.
telegram: the Bot API's sendMessage over HTTPS as Telegram documents it (core.telegram.org/bots/api):
POST /bot<token>/sendMessage with a JSON body; a token other than TOKEN_FILE's is 401
Unauthorized, chat_id -100404 is 400 "Bad Request: chat not found", --fail-first N answers the
first N requests to other chats 429 with parameters.retry_after S; otherwise {"ok": true, "result": {...}}. Each request is a line
of OUT_DIR/requests.jsonl (token_ok, chat_id, text, content_type, status). getUpdates answers the
list in OUT_DIR/updates.json (empty without it), or 409 Conflict while OUT_DIR/webhook-set
exists; its lines have method "getUpdates", token_ok, offset, timeout and status. While
OUT_DIR/updates-hold exists a getUpdates waits (noted first in OUT_DIR/held.jsonl).
proxy: an HTTP proxy that only tunnels (CONNECT host:port, as libcurl asks for an https:// URL
through an http:// proxy), to loopback targets only; each tunnel is a line of
OUT_DIR/proxied.jsonl ({"target": "host:port"}).
The port is written to PORT_FILE (atomically) once listening. Stops on SIGTERM.
"""
import argparse
import asyncio
import email
import email.header
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import signal
import ssl
import sys
import threading
import time


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def run_smtp(args):
    from aiosmtpd.smtp import SMTP

    state = {"count": 0, "seen": 0}
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            state["seen"] += 1
            if state["seen"] <= args.fail_first:
                return "451 4.3.0 try again later"
            msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain",))
            state["count"] += 1
            record = {
                "mail_from": envelope.mail_from,
                "rcpt": envelope.rcpt_tos,
                "subject": str(msg["subject"]),
                "message_id": str(msg["message-id"]),
                "idempotency_key": str(msg["x-printmon-idempotency-key"]),
                "body": body.get_content() if body is not None else "",
                "tls": session.ssl is not None,
            }
            write_atomic(os.path.join(args.out, "mail-%04d.json" % state["count"]),
                         json.dumps(record, ensure_ascii=False))
            return "250 OK"

    async def main():
        loop = asyncio.get_running_loop()
        kwargs = {"enable_SMTPUTF8": True}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        server = await loop.create_server(lambda: SMTP(Handler(), **kwargs), host="127.0.0.1",
                                          port=0)
        write_atomic(args.port_file, str(server.sockets[0].getsockname()[1]))
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()

    asyncio.run(main())


def run_webhook(args):
    lock = threading.Lock()
    state = {"seen": 0, "keys": set()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                state["seen"] += 1
                n = state["seen"]
            if n <= args.hang_first:
                # Recorded apart (hung.jsonl), so a test knows the request is at the receiver.
                with lock:
                    with open(os.path.join(args.out, "hung.jsonl"), "a", encoding="utf-8") as f:
                        f.write(json.dumps({"key": self.headers.get("X-Printmon-Idempotency-Key", "")}) + "\n")
                time.sleep(30)  # longer than the sender's timeout: it must give up first
                return
            with open(args.secret_file, encoding="utf-8") as f:
                secret = f.read().strip()
            stamp = self.headers.get("X-Printmon-Timestamp", "")
            expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            verified = hmac.compare_digest(expected, self.headers.get("X-Printmon-Signature", ""))
            key = self.headers.get("X-Printmon-Idempotency-Key", "")
            status = 200
            if n <= args.hang_first + args.fail_first:
                status = 500
            elif not verified:
                status = 401
            with lock:
                duplicate = status == 200 and key in state["keys"]
                if status == 200:
                    state["keys"].add(key)
                try:
                    event = json.loads(body).get("event", "")
                except ValueError:
                    event = ""
                with open(os.path.join(args.out, "requests.jsonl"), "a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, "verified": verified, "duplicate": duplicate,
                                        "status": status, "event": event}) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    write_atomic(args.port_file, str(server.server_address[1]))
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


def run_telegram(args):
    lock = threading.Lock()
    state = {"seen": 0, "missing": 0, "message_id": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def answer(self, status, doc):
            data = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def get_updates(self, token_ok, doc):
            # getUpdates: OUT_DIR/updates.json is the "result" list the test wrote; with
            # OUT_DIR/webhook-set present, Telegram's 409 for a bot that has a webhook.
            updates = os.path.join(args.out, "updates.json")
            hold = os.path.join(args.out, "updates-hold")
            if os.path.exists(hold):
                # Held while OUT_DIR/updates-hold exists (at most 15 s), each noted in
                # OUT_DIR/held.jsonl first, so a test knows the request is at the Bot API.
                with lock:
                    with open(os.path.join(args.out, "held.jsonl"), "a", encoding="utf-8") as f:
                        f.write(json.dumps({"method": "getUpdates"}) + "\n")
                for _ in range(300):
                    if not os.path.exists(hold):
                        break
                    time.sleep(0.05)
            if not token_ok:
                status, reply = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            elif os.path.exists(os.path.join(args.out, "webhook-set")):
                status, reply = 409, {"ok": False, "error_code": 409, "description":
                                      "Conflict: can't use getUpdates method while webhook is "
                                      "active; use deleteWebhook to delete the webhook first"}
            else:
                result = []
                if os.path.exists(updates):
                    with open(updates, encoding="utf-8") as f:
                        result = json.load(f)
                status, reply = 200, {"ok": True, "result": result}
            with lock:
                with open(os.path.join(args.out, "requests.jsonl"), "a", encoding="utf-8") as f:
                    f.write(json.dumps({"method": "getUpdates", "token_ok": token_ok,
                                        "offset": doc.get("offset"), "timeout": doc.get("timeout"),
                                        "status": status}) + "\n")
            self.answer(status, reply)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with open(args.secret_file, encoding="utf-8") as f:
                token = f.read().strip()
            path = self.path
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {}
            if path.rsplit("/", 1)[-1] == "getUpdates":
                return self.get_updates(path == "/bot" + token + "/getUpdates", doc)
            token_ok = path == "/bot" + token + "/sendMessage"
            chat = doc.get("chat_id")
            with lock:
                state["seen"] += 1
                n = state["seen"]
                if token_ok and chat == -100404:
                    state["missing"] += 1
                if not token_ok:
                    status, reply = 401, {"ok": False, "error_code": 401,
                                          "description": "Unauthorized"}
                elif chat == -100404:
                    status, reply = 400, {"ok": False, "error_code": 400,
                                          "description": "Bad Request: chat not found"}
                elif n - state["missing"] <= args.fail_first:
                    status, reply = 429, {
                        "ok": False, "error_code": 429,
                        "description": "Too Many Requests: retry after %d" % args.retry_after,
                        "parameters": {"retry_after": args.retry_after}}
                elif not isinstance(doc.get("text"), str) or not doc["text"]:
                    status, reply = 400, {"ok": False, "error_code": 400,
                                          "description": "Bad Request: message text is empty"}
                else:
                    state["message_id"] += 1
                    status, reply = 200, {"ok": True, "result": {
                        "message_id": state["message_id"], "chat": {"id": chat},
                        "date": int(time.time()), "text": doc["text"]}}
                with open(os.path.join(args.out, "requests.jsonl"), "a", encoding="utf-8") as f:
                    f.write(json.dumps({"token_ok": token_ok, "chat_id": chat,
                                        "text": doc.get("text"),
                                        "no_preview": doc.get("disable_web_page_preview"),
                                        "content_type": self.headers.get("Content-Type", ""),
                                        "status": status}, ensure_ascii=False) + "\n")
            self.answer(status, reply)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    write_atomic(args.port_file, str(server.server_address[1]))
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


def run_proxy(args):
    import socket
    import socketserver

    class Tunnel(socketserver.BaseRequestHandler):
        def handle(self):
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = self.request.recv(1024)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            if len(line) < 2 or line[0] != "CONNECT":
                self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = line[1].rpartition(":")
            if host not in ("127.0.0.1", "localhost"):  # tests reach loopback only
                self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection((host, int(port)), timeout=10)
            with open(os.path.join(args.out, "proxied.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps({"target": line[1]}) + "\n")
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

            def pipe(a, b):
                try:
                    while True:
                        data = a.recv(65536)
                        if not data:
                            break
                        b.sendall(data)
                except OSError:
                    pass
                finally:
                    try:
                        b.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass

            back = threading.Thread(target=pipe, args=(upstream, self.request), daemon=True)
            back.start()
            pipe(self.request, upstream)
            back.join(timeout=10)
            upstream.close()

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Tunnel)
    write_atomic(args.port_file, str(server.server_address[1]))
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["smtp", "webhook", "telegram", "proxy"])
    p.add_argument("port_file")
    p.add_argument("out")
    p.add_argument("secret_file", nargs="?")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--hang-first", type=int, default=0)
    p.add_argument("--retry-after", type=int, default=5)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()
    if args.mode == "smtp":
        run_smtp(args)
    elif args.mode == "telegram":
        run_telegram(args)
    elif args.mode == "proxy":
        run_proxy(args)
    else:
        run_webhook(args)


if __name__ == "__main__":
    sys.exit(main())
