#!/usr/bin/python3
"""Create or delete a super stream the way RabbitMQ's own tools lay it out,
over AMQP 0-9-1 with python3-pika (no management plugin, no stream
protocol frame of ours): a direct exchange with x-super-stream, and the
partition streams SUPER-0 .. SUPER-(N-1) bound to it with routing keys
0 .. N-1 and x-stream-partition-order.

  superstream.py create SUPER N
  superstream.py delete SUPER N

The AMQP port comes from RSTREAM_TEST_AMQP_PORT (default 5672).
"""
import sys

from amqp091 import connect


def create(sup, n):
    conn = connect()
    ch = conn.channel()
    ch.exchange_declare(sup, exchange_type="direct", durable=True,
                        arguments={"x-super-stream": True})
    for i in range(n):
        q = "%s-%d" % (sup, i)
        ch.queue_declare(q, durable=True,
                         arguments={"x-queue-type": "stream"})
        ch.queue_bind(q, sup, routing_key=str(i),
                      arguments={"x-stream-partition-order": i})
    conn.close()


def delete(sup, n):
    conn = connect()
    ch = conn.channel()
    for i in range(n):
        ch.queue_delete("%s-%d" % (sup, i))
    ch.exchange_delete(sup)
    conn.close()


def main(argv):
    if len(argv) == 4 and argv[1] == "create":
        create(argv[2], int(argv[3]))
        return 0
    if len(argv) == 4 and argv[1] == "delete":
        delete(argv[2], int(argv[3]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
