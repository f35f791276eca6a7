"""The manager's server process: it owns the objects, clients call methods.

A manager keeps ordinary Python objects (a list, a dict, a ``queue.Queue``)
inside one process and lets other processes use them through *proxies*.  The
server side is this class: a ``Listener``, one thread per connection, and a
table of shared objects by id.

Every connection first passes the HMAC handshake (``teachmp.auth``) in its
own thread, so a slow or hostile client never blocks ``accept``.  Then each
request is a tuple ``(id, method, args, kwds)``; ``id`` None addresses the
server itself (``create``, ``incref``, ``shutdown``...; only the names in
``public`` can be called).  Each reply is ``(kind, value)``:

* ``'#RETURN'``    -- the method's result;
* ``'#ERROR'``     -- an exception the method raised, re-raised as itself
  by the proxy (an ``IndexError`` stays an ``IndexError``);
* ``'#TRACEBACK'`` -- the server failed (unknown id, method not exposed):
  the proxy raises ``RemoteError`` with the server's traceback as text;
* ``'#PROXY'``     -- the result is itself a shared object (see
  ``method_to_typeid``): here are its exposed methods and token;
* ``'#UNSERIALIZABLE'`` -- the result could not be pickled.

Only *exposed* methods can be called: by default the public (no leading
underscore) callable attributes of the object, or the registered list.

Reference counting: each proxy anywhere holds one reference (``incref`` when
it is made, ``decref`` when it is garbage collected); at zero the server
forgets the object, so it can be freed.
"""

import sys
import threading
import traceback

from teachmp import connection, log, process, xml_connection
from teachmp.errors import AuthenticationError

# The serializers a manager can speak, by name: (listener class, client
# function).  Both ends need the table (the server listens, every proxy
# connects), so it lives here, below managers and proxies.
listener_client = {'pickle': (connection.Listener, connection.Client),
                   'xmlrpclib': (xml_connection.XmlListener, xml_connection.XmlClient)}


class State:
    """A manager's life: one mutable ``value`` (shared with its finalizer)."""

    INITIAL, STARTED, SHUTDOWN = 0, 1, 2
    __slots__ = ['value']


class Token:
    """Names a shared object: its type id, the server address, its id there."""

    __slots__ = ('typeid', 'address', 'id')

    def __init__(self, typeid, address, id):
        self.typeid, self.address, self.id = typeid, address, id

    def __getstate__(self):
        return (self.typeid, self.address, self.id)

    def __setstate__(self, state):
        self.typeid, self.address, self.id = state

    def __repr__(self):
        return '%s(typeid=%r, address=%r, id=%r)' % (
            type(self).__name__, self.typeid, self.address, self.id)


def public_methods(obj):
    """The names of ``obj``'s public callable attributes: what a proxy may call by default."""
    return [name for name in dir(obj)
            if name[0] != '_' and callable(getattr(obj, name, None))]


class Server:
    """The manager's server: it owns the shared objects and runs their methods."""

    public = ['shutdown', 'create', 'accept_connection', 'get_methods',
              'debug_info', 'number_of_objects', 'dummy', 'incref', 'decref']

    def __init__(self, registry, address, authkey, serializer):
        if not isinstance(authkey, bytes):
            raise TypeError('Authkey {0!r} is type {1!s}, not bytes'.format(
                authkey, type(authkey)))
        self.registry = registry
        self.authkey = process.AuthenticationString(authkey)
        Listener, _ = listener_client[serializer]
        self.listener = Listener(address=address, backlog=128)
        self.address = self.listener.address
        self.id_to_obj = {'0': (None, (), None)}
        self.id_to_refcount = {}
        self.id_to_local_proxy_obj = {}
        self.mutex = threading.Lock()
        self.stop_event = threading.Event()

    def serve_forever(self):
        """Accept clients until ``shutdown`` (or until our parent dies)."""
        process.current_process()._manager_server = self
        accepter = threading.Thread(target=self.accepter, daemon=True)
        accepter.start()
        parent = process.parent_process()
        try:
            while not self.stop_event.wait(0.5):
                # A manager started by start() must not outlive its owner.
                if parent is not None and getattr(self, '_owned', False) \
                        and not parent.is_alive():
                    log.info('manager: the owning process is gone, exiting')
                    break
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.listener.close()
        sys.exit(0)

    def accepter(self):
        """Accept connections for ever, each handled in a thread of its own."""
        while True:
            try:
                conn = self.listener.accept()
            except OSError:
                return                      # listener closed: shutting down
            threading.Thread(target=self.handle_request, args=(conn,),
                             daemon=True).start()

    def _authenticate(self, conn):
        from teachmp.auth import answer_challenge, deliver_challenge
        from teachmp.listener import _handshake_deadline
        with _handshake_deadline(conn):
            deliver_challenge(conn, self.authkey)
            answer_challenge(conn, self.authkey)

    def handle_request(self, conn):
        """Serve one request addressed to the server (id None)."""
        try:
            self._authenticate(conn)
        except (AuthenticationError, OSError, EOFError) as e:
            log.info('manager: refused a connection: %s', e)
            conn.close()
            return
        funcname = None
        try:
            ignore, funcname, args, kwds = conn.recv()
            if funcname not in self.public:
                raise AttributeError('%r unrecognized' % funcname)
            result = getattr(self, funcname)(conn, *args, **kwds)
        except Exception:
            msg = ('#TRACEBACK', traceback.format_exc())
        else:
            msg = ('#RETURN', result)
        if funcname == 'accept_connection' and msg[0] == '#RETURN':
            return                          # serve_client took over
        if funcname == 'shutdown' and msg[0] == '#RETURN':
            conn.close()                    # shutdown() already replied
            return
        try:
            conn.send(msg)
        except Exception:
            log.info('Failure to send message: %r', msg)
        conn.close()

    def serve_client(self, conn):
        """Answer method calls on shared objects until the client goes away."""
        log.debug('starting server thread to service %r',
                  threading.current_thread().name)
        while not self.stop_event.is_set():
            try:
                ident, methodname, args, kwds = conn.recv()
            except (EOFError, OSError):
                break
            except Exception:
                msg = ('#TRACEBACK', traceback.format_exc())
            else:
                msg = self._call(conn, ident, methodname, args, kwds)
            try:
                try:
                    conn.send(msg)
                except Exception:
                    conn.send(('#UNSERIALIZABLE', traceback.format_exc()))
            except Exception:
                break
        conn.close()

    def _call(self, conn, ident, methodname, args, kwds):
        try:
            obj, exposed, gettypeid = self._lookup(ident)
            if methodname not in exposed:
                fallback = self.fallback_mapping.get(methodname)
                if fallback is None:
                    raise AttributeError('method %r of %r object is not in exposed=%r'
                                         % (methodname, type(obj), exposed))
                return ('#RETURN', fallback(self, conn, ident, obj))
            function = getattr(obj, methodname)
        except Exception:
            return ('#TRACEBACK', traceback.format_exc())
        try:
            result = function(*args, **kwds)
        except Exception as e:
            return ('#ERROR', e)
        typeid = gettypeid and gettypeid.get(methodname)
        if not typeid:
            return ('#RETURN', result)
        try:
            rident, rexposed = self.create(conn, typeid, result)
        except Exception:
            return ('#TRACEBACK', traceback.format_exc())
        return ('#PROXY', (rexposed, Token(typeid, self.address, rident)))

    def _lookup(self, ident):
        with self.mutex:
            try:
                return self.id_to_obj[ident]
            except KeyError:
                return self.id_to_local_proxy_obj[ident]

    # -- what every proxy may ask, exposed or not (str(proxy), _getvalue()) --
    # A subclass may extend ``fallback_mapping``, as with the stdlib's Server.

    def fallback_getvalue(self, conn, ident, obj):
        """``_getvalue()`` on a proxy: send the referent itself (a copy)."""
        return obj

    def fallback_str(self, conn, ident, obj):
        """``str(proxy)``: the referent's ``str``, computed in the server."""
        return str(obj)

    def fallback_repr(self, conn, ident, obj):
        """``repr()`` of the referent, computed in the server."""
        return repr(obj)

    fallback_mapping = {'__str__': fallback_str, '__repr__': fallback_repr,
                        '#GETVALUE': fallback_getvalue}

    # -- the public (id None) requests ----------------------------------------

    def dummy(self, conn):
        """Do nothing (clients use it to check that the server answers)."""
        pass

    def debug_info(self, conn):
        """A text listing every shared object and its reference count."""
        with self.mutex:
            return '\n'.join('  %s:       refcount=%s\n    %s' % (
                ident, self.id_to_refcount[ident], str(self.id_to_obj[ident][0])[:75])
                for ident in self.id_to_refcount)

    def number_of_objects(self, conn):
        """How many shared objects the server holds."""
        return len(self.id_to_refcount)

    def shutdown(self, conn):
        """Answer, then stop the server."""
        try:
            log.debug('manager received shutdown message')
            conn.send(('#RETURN', None))
        finally:
            self.stop_event.set()

    def create(self, conn, typeid, *args, **kwds):
        """Make a new shared object of type ``typeid``; return (id, exposed)."""
        callable_, exposed, method_to_typeid, proxytype = self.registry[typeid]
        if callable_ is None:
            if kwds or len(args) != 1:
                raise ValueError('Without callable, must have one non-keyword argument')
            obj = args[0]
        else:
            obj = callable_(*args, **kwds)
        if exposed is None:
            exposed = public_methods(obj)
        if method_to_typeid is not None:
            exposed = list(exposed) + list(method_to_typeid)
        ident = '%x' % id(obj)
        with self.mutex:
            self.id_to_obj[ident] = (obj, set(exposed), method_to_typeid)
            self.id_to_refcount.setdefault(ident, 0)
        self.incref(conn, ident)
        return ident, tuple(exposed)

    def get_methods(self, conn, token):
        """The exposed methods of the object ``token`` names."""
        return tuple(self.id_to_obj[token.id][1])

    def accept_connection(self, conn, name):
        """Turn this connection into a long-lived one for a proxy's calls."""
        threading.current_thread().name = name
        conn.send(('#RETURN', None))
        self.serve_client(conn)

    def incref(self, conn, ident):
        """One more proxy holds object ``ident``."""
        with self.mutex:
            try:
                self.id_to_refcount[ident] += 1
            except KeyError:
                if ident not in self.id_to_local_proxy_obj:
                    raise
                self.id_to_refcount[ident] = 1
                self.id_to_obj[ident] = self.id_to_local_proxy_obj[ident]

    def decref(self, conn, ident):
        """One proxy fewer holds object ``ident``; at zero the server forgets it."""
        with self.mutex:
            if ident not in self.id_to_refcount:
                return
            self.id_to_refcount[ident] -= 1
            if self.id_to_refcount[ident] > 0:
                return
            del self.id_to_refcount[ident]
            # The object itself is dropped outside the lock: its __del__
            # might call back into the server.
            obj = self.id_to_obj.pop(ident, None)
        log.debug('disposing of obj with id %r', ident)
        del obj

