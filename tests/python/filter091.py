#!/usr/bin/python3
"""Stream filtering through RabbitMQ's own AMQP 0-9-1 side (3.13+), driven
by python3-pika: the independent peer of tests/bats/filter.bats.

  filter091.py publish STREAM VALUE BODY...
        publish each BODY with the header x-stream-filter-value VALUE (the
        broker takes it as the message's filter value), in one batch
  filter091.py consume STREAM VALUE
        read the stream from its start with the consumer argument
        x-stream-filter VALUE and print, one per line, the bodies of the
        messages whose x-stream-filter-value header is VALUE (the broker's
        filter is per chunk: the check on each message is the consumer's),
        until nothing comes for 3 seconds

The AMQP port comes from RSTREAM_TEST_AMQP_PORT (default 5672).
"""
import sys

import pika

from amqp091 import connect


def publish(stream, value, bodies):
    conn = connect()
    ch = conn.channel()
    ch.confirm_delivery()
    for body in bodies:
        ch.basic_publish(exchange="", routing_key=stream,
                         body=body.encode(),
                         properties=pika.BasicProperties(
                             headers={"x-stream-filter-value": value}),
                         mandatory=True)
    conn.close()


def consume(stream, value):
    conn = connect()
    ch = conn.channel()
    ch.basic_qos(prefetch_count=100)
    out = sys.stdout.buffer
    args = {"x-stream-offset": "first", "x-stream-filter": value}
    for method, props, body in ch.consume(stream, inactivity_timeout=3,
                                          arguments=args):
        if method is None:
            break
        ch.basic_ack(method.delivery_tag)
        got = (props.headers or {}).get("x-stream-filter-value")
        if isinstance(got, bytes):
            got = got.decode()
        if got == value:
            out.write(body + b"\n")
    ch.cancel()
    conn.close()
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "publish":
        publish(argv[2], argv[3], argv[4:])
        return 0
    if len(argv) == 4 and argv[1] == "consume":
        return consume(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
