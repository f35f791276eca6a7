"""The ``'xmlrpclib'`` serializer: Connections that speak XML-RPC, not pickle.

``BaseManager(serializer='xmlrpclib')`` makes the manager and its proxies
exchange their messages as XML-RPC documents (``xmlrpc.client.dumps``)
instead of pickles.  Unpickling runs whatever code the pickle names;
parsing XML-RPC can only produce plain data -- numbers, strings, lists,
dicts with string keys, ``None``, ``Binary`` -- so a peer cannot make the
other side run code.  The price is the same list of types: a tuple arrives
as a list, bytes as ``xmlrpc.client.Binary``, and anything else cannot be
sent at all (a manager then reports it as an unserializable result).

Nothing else changes: the socket, the framing and the HMAC handshake are
the ordinary ``Listener``/``Client``; ``ConnectionWrapper`` only swaps the
``send``/``recv`` pair for one that encodes with XML-RPC.
"""

from teachmp.listener import Client, Listener

__all__ = ['ConnectionWrapper', 'XmlListener', 'XmlClient']


class ConnectionWrapper:
    """A Connection whose ``send``/``recv`` use ``dumps``/``loads`` for bytes."""

    def __init__(self, conn, dumps, loads):
        self._conn = conn
        self._dumps = dumps
        self._loads = loads
        # Everything but send/recv is the wrapped Connection's own.
        for attr in ('fileno', 'close', 'poll', 'recv_bytes', 'send_bytes'):
            setattr(self, attr, getattr(conn, attr))

    def send(self, obj):
        """Send ``obj`` encoded as XML-RPC."""
        self._conn.send_bytes(self._dumps(obj))

    def recv(self):
        """Receive one XML-RPC message and decode it."""
        return self._loads(self._conn.recv_bytes())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return '<ConnectionWrapper %r>' % (self._conn,)


def _xml_dumps(obj):
    import xmlrpc.client
    # One parameter, allow_none so that None (a frequent reply) can travel.
    return xmlrpc.client.dumps((obj,), None, None, None, 1).encode('utf-8')


def _xml_loads(data):
    import xmlrpc.client
    (obj,), _method = xmlrpc.client.loads(data.decode('utf-8'))
    return obj


class XmlListener(Listener):
    """A Listener whose accepted connections speak XML-RPC."""

    def accept(self):
        return ConnectionWrapper(Listener.accept(self), _xml_dumps, _xml_loads)


def XmlClient(*args, **kwds):
    """``Client(...)`` that speaks XML-RPC."""
    return ConnectionWrapper(Client(*args, **kwds), _xml_dumps, _xml_loads)
