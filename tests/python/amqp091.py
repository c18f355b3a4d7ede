#!/usr/bin/python3
"""An independent peer for the interop tests: RabbitMQ's own AMQP 0-9-1
side of a stream, driven by python3-pika (Debian). The broker converts
between AMQP 0-9-1 and the AMQP 1.0 records the stream stores.

  amqp091.py publish STREAM BODY...   publish each BODY (with confirms)
  amqp091.py consume STREAM OFFSET N  print the bodies of N messages from
                                      x-stream-offset OFFSET, one per line
  amqp091.py delete STREAM            delete the stream

The AMQP port comes from RSTREAM_TEST_AMQP_PORT (default 5672).
"""
import os
import sys

import pika


def connect():
    port = int(os.environ.get("RSTREAM_TEST_AMQP_PORT", "5672"))
    params = pika.ConnectionParameters(host="localhost", port=port,
                                       connection_attempts=3, retry_delay=1)
    return pika.BlockingConnection(params)


def publish(stream, bodies):
    conn = connect()
    ch = conn.channel()
    ch.confirm_delivery()
    for body in bodies:
        ch.basic_publish(exchange="", routing_key=stream,
                         body=body.encode(),
                         properties=pika.BasicProperties(
                             content_type="text/plain",
                             headers={"origin": "pika"}),
                         mandatory=True)
    conn.close()


def consume(stream, offset, n):
    conn = connect()
    ch = conn.channel()
    ch.basic_qos(prefetch_count=100)
    try:
        offset = int(offset)
    except ValueError:
        pass
    got = []
    for method, props, body in ch.consume(stream, inactivity_timeout=10,
                                          arguments={"x-stream-offset": offset}):
        if method is None:
            break
        got.append(body)
        ch.basic_ack(method.delivery_tag)
        if len(got) == n:
            break
    ch.cancel()
    conn.close()
    out = sys.stdout.buffer
    for body in got:
        out.write(body + b"\n")
    return 0 if len(got) == n else 1


def delete(stream):
    conn = connect()
    conn.channel().queue_delete(stream)
    conn.close()


def main(argv):
    if len(argv) >= 3 and argv[1] == "publish":
        publish(argv[2], argv[3:])
        return 0
    if len(argv) == 5 and argv[1] == "consume":
        return consume(argv[2], argv[3], int(argv[4]))
    if len(argv) == 3 and argv[1] == "delete":
        delete(argv[2])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
