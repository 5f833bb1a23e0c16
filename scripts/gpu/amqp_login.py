#!/usr/bin/env python3
"""Logs in to an AMQP 0-9-1 broker with PLAIN and exits 0 when the broker accepts the login (it sends
Connection.Tune), 1 when it refuses it. Needs no client library, so the bundled RabbitMQ can be checked
on a machine that has only python3 (scripts/gpu/check_services_bundle.sh).
  amqp_login.py HOST PORT USER    (password on stdin, not on the command line)"""
import socket
import struct
import sys


def read_frame(sock):
    head = b""
    while len(head) < 7:
        chunk = sock.recv(7 - len(head))
        if not chunk:
            return None
        head += chunk
    kind, channel, size = struct.unpack(">BHI", head)
    body = b""
    while len(body) < size + 1:
        chunk = sock.recv(size + 1 - len(body))
        if not chunk:
            return None
        body += chunk
    if body[-1] != 0xCE:
        raise SystemExit("amqp_login: bad frame end")
    return kind, body[:-1]


def method_id(frame):
    kind, payload = frame
    if kind != 1:
        raise SystemExit(f"amqp_login: expected a method frame, got type {kind}")
    return struct.unpack(">HH", payload[:4])


def shortstr(s):
    b = s.encode()
    return struct.pack(">B", len(b)) + b


def longstr(b):
    return struct.pack(">I", len(b)) + b


def main():
    host, port, user = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    password = sys.stdin.readline().rstrip("\n")
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        start = read_frame(sock)
        if start is None or method_id(start) != (10, 10):
            raise SystemExit("amqp_login: no Connection.Start from the broker")
        args = struct.pack(">HH", 10, 11) + struct.pack(">I", 0) + shortstr("PLAIN") \
            + longstr(b"\x00" + user.encode() + b"\x00" + password.encode()) + shortstr("en_US")
        sock.sendall(struct.pack(">BHI", 1, 0, len(args)) + args + b"\xce")
        try:
            reply = read_frame(sock)
        except ConnectionResetError:  # RabbitMQ may drop the socket on a refused login
            reply = None
    if reply is not None and method_id(reply) == (10, 30):
        print(f"AMQP login as {user} on {host}:{port}: accepted (Connection.Tune)")
        return 0
    print(f"AMQP login as {user} on {host}:{port}: refused")
    return 1


if __name__ == "__main__":
    sys.exit(main())
