"""moto's server, answering one request at a time.

moto applies a TransactWriteItems by snapshotting the tables and, when a condition fails,
restoring that snapshot: with the stock threaded server, a cancelled transaction can erase a
concurrent transaction that succeeded in between. DynamoDB itself never does that (conflicting
transactions are isolated), so the tests run moto with requests serialised, which gives the
isolation the real service has. Clients still send their requests concurrently.

Usage: python moto_serial.py HOST PORT
"""
import sys

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

host, port = sys.argv[1], int(sys.argv[2])
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)
