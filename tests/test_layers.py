"""The library's layers: every teachmp module imports only from below itself.

``LAYERS`` below is the map of the library, lowest layer first.  A module
may import modules of its own layer or of a lower one.  An import that points
*up* must be in ``UPWARD``, with the reason; every reason is one of five
kinds, the same five that ``teachmp/context.py``'s header explains:

* **facade**: ``teachmp.context`` is the top (``ctx.Lock()``, ``ctx.Pool()``
  reach every component), and a few components fall back to it
  (``Pool(context=None)`` uses the default context);
* **stdlib re-export**: a name the stdlib keeps in a lower module lives
  higher up in teachmp (``synchronize.Condition``, ``util._exit_function``);
* **run alias**: ``python -m teachmp run`` installs ``multiprocessing`` as an
  alias for teachmp, and a child started from such a program installs it again;
* **log**: every module logs, so ``log`` is at the bottom, but its process-name
  filter asks ``process`` for the name of the current process;
* **handover**: a spawned child joins the program's resource tracker (and
  its trace, when one is recording), which ``spawn`` hands over with the
  preparation data.

Imports are read with ``ast`` from the source: module-level imports and the
ones inside functions (lazy imports) count the same, since a lazy import is a
dependency all the same (it only breaks the cycle at import time).
``importlib.import_module`` with a computed name is invisible to ``ast``;
``DYNAMIC`` lists those edges, and a test checks that each is still in the
source.  ``sys.modules.get('teachmp.X')`` looks for a module without
importing it, and is not an edge.
"""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, 'teachmp')

# Lowest first.  Chapter numbers say where a layer is taught.
LAYERS = [
    # leaves: import nothing from teachmp (log: see UPWARD)
    ('leaves', ['errors', 'compat', 'fdutil', 'spawning', 'posixshm', 'log']),
    # per-process housekeeping: finalizers, after-fork hooks (ch01)
    ('housekeeping', ['util']),
    # pickling for children, and whole messages over a pipe (ch02, ch03)
    ('pickling', ['reduction']),
    ('connections', ['connection']),
    # processes (ch01) and the start methods (ch02)
    ('processes', ['process']),
    # the end of a process: join the children (ch01); teachmp/__init__ loads it
    ('process exit', ['process_exit']),
    # (stdlib_interop: stdlib objects in a teachmp child's start-up data)
    ('start methods', ['popen_fork', 'spawn', 'stdlib_interop', 'popen_spawn',
                       'popen_spawn_posix']),
    # the process that unlinks named shared memory a dead program left (ch06)
    ('resource tracker', ['resource_tracker']),
    # listeners, the handshake, descriptor passing (ch03, ch09)
    ('listeners', ['auth', 'listener', 'xml_connection', 'resource_sharer']),
    # locks (ch05), shared memory (ch06), conditions built on both (ch05)
    ('locks', ['synchronize']),
    ('shared memory', ['heap', 'sharedctypes', 'shared_memory']),
    ('conditions', ['condition']),
    # queues (ch04: built on locks, so above them)
    ('queues', ['queue_feeder', 'queue_recovery', 'queues']),
    # the fork server preloads connection, listener and queues for its children
    ('fork server', ['forkserver_main', 'forkserver', 'popen_forkserver']),
    # pools (ch08); ThreadPool is a Pool of threads (teachmp.dummy)
    ('pools', ['pool_results', 'pool_worker', 'pool_recovery', 'pool_handlers',
               'pool']),
    ('thread pools', ['thread_pool', 'dummy', 'dummy.connection']),
    # the tracer that records the timelines (it knows the pool worker's loop)
    ('tracing', ['trace_args', 'trace']),
    # managers (ch07): server below proxies below the manager classes
    ('managers', ['manager_server', 'proxies', 'manager_proxies', 'managers']),
    ('shared memory manager', ['shared_memory_manager']),
    # the facade: contexts, and the package itself
    ('facade', ['context', '__init__']),
    # tools on top of the library: `teachmp run`, reading and drawing a trace
    # (ch12) (_alias_site.sitecustomize: the alias in interpreters a program starts)
    ('tools', ['runner', '_alias_site.sitecustomize', 'trace_analysis', 'trace_draw',
               '__main__']),
]

# (importer, imported): why this import points up.
UPWARD = {
    ('log', 'process'):
        'log: the processName filter asks for the current process',
    ('util', 'process_exit'):
        'stdlib re-export: util._exit_function and util._cleanup_tests live '
        'in process_exit.py, next to process and the children they join',
    ('reduction', 'resource_sharer'):
        "stdlib re-export: reduction.DupFd (the stdlib's name) hands a "
        'descriptor to the resource sharer outside process start-up',
    ('connection', 'listener'):
        'stdlib re-export: connection.Listener and connection.Client',
    ('connection', 'auth'):
        'stdlib re-export: connection.deliver_challenge and answer_challenge',
    ('connection', 'xml_connection'):
        'stdlib re-export: connection.XmlListener and XmlClient',
    ('synchronize', 'condition'):
        'stdlib re-export: synchronize.Condition, Event and Barrier',
    ('pool', 'thread_pool'):
        'stdlib re-export: pool.ThreadPool',
    ('managers', 'shared_memory_manager'):
        'stdlib re-export: managers.SharedMemoryManager',
    ('process', 'context'):
        'facade: a child sets the default context to its own start method',
    ('spawn', 'context'):
        'facade: the preparation data carries the default start method',
    ('pool', 'context'):
        'facade: Pool(context=None) uses the default context',
    ('managers', 'context'):
        'facade: BaseManager(ctx=None) uses the default context',
    ('spawn', 'resource_tracker'):
        "handover: a spawned child joins the program's resource tracker, "
        "handed over with the preparation data (the stdlib's spawn does too)",
    ('spawn', 'trace'):
        'handover: a spawned or forkserver child records into the running '
        'trace, named in the preparation data',
    ('spawn', 'runner'):
        'run alias: a spawned child of a `teachmp run` program installs it',
    ('forkserver_main', 'runner'):
        'run alias: the fork server of a `teachmp run` program installs it',
}

# Edges that ast cannot see: importlib.import_module with a name from a table.
DYNAMIC = {
    ('connection', 'listener'): "'teachmp.listener'",
    ('connection', 'auth'): "'teachmp.auth'",
    ('connection', 'xml_connection'): "'teachmp.xml_connection'",
}


def _modules():
    found = {}
    for dirpath, _, files in os.walk(PACKAGE):
        for f in files:
            if not f.endswith('.py'):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), PACKAGE)[:-3]
            name = rel.replace(os.sep, '.')
            if name.endswith('__init__') and name != '__init__':
                name = name[:-len('.__init__')]
            found[name] = os.path.join(dirpath, f)
    return found


MODULES = _modules()


def imports_of(name, path):
    """The teachmp modules that module ``name`` imports: {module: line}."""
    tree = ast.parse(open(path, encoding='utf-8').read())
    if path.endswith('__init__.py'):
        package = '' if name == '__init__' else name
    else:
        package = name.rpartition('.')[0]
    out = {}

    def add(target, line):
        if target in MODULES and target != name:
            out.setdefault(target, line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == 'teachmp':
                    add('__init__', node.lineno)
                elif alias.name.startswith('teachmp.'):
                    add(alias.name[len('teachmp.'):], node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.') if package else []
                base = base[:len(base) - node.level + 1]
                module = '.'.join(base + ([node.module] if node.module else []))
            elif node.module == 'teachmp' or (node.module or '').startswith('teachmp.'):
                module = node.module[len('teachmp.'):] if node.module != 'teachmp' else ''
            else:
                continue
            for alias in node.names:
                sub = (module + '.' + alias.name).lstrip('.')
                if sub in MODULES:
                    add(sub, node.lineno)       # from teachmp import queues
                else:
                    add(module or '__init__', node.lineno)
    for (importer, imported), literal in DYNAMIC.items():
        if importer == name:
            out.setdefault(imported, 0)
    return out


def _layer_of():
    layer = {}
    for i, (_, names) in enumerate(LAYERS):
        for n in names:
            assert n not in layer, '%s is in two layers' % n
            layer[n] = i
    return layer


def test_every_module_has_a_layer():
    layer = _layer_of()
    missing = sorted(set(MODULES) - set(layer))
    gone = sorted(set(layer) - set(MODULES))
    assert not missing, ('give these modules a layer in LAYERS '
                         '(tests/test_layers.py): %s' % missing)
    assert not gone, 'these modules in LAYERS no longer exist: %s' % gone


def upward_edges():
    layer = _layer_of()
    edges = []
    for name, path in sorted(MODULES.items()):
        for target, line in sorted(imports_of(name, path).items()):
            if layer.get(target, -1) > layer.get(name, -1):
                edges.append((name, target, line))
    return edges


def test_no_import_points_up_without_a_reason():
    bad = ['teachmp/%s.py (line %s) imports %s, which is in a higher layer (%s > %s)'
           % (a.replace('.', '/'), line, b,
              LAYERS[_layer_of()[b]][0], LAYERS[_layer_of()[a]][0])
           for a, b, line in upward_edges() if (a, b) not in UPWARD]
    assert not bad, ('\n'.join(bad) + '\nMove the code down, or add the edge '
                     'to UPWARD in tests/test_layers.py with its reason.')


def test_without_the_listed_edges_the_imports_have_no_cycle():
    # Same-layer imports are allowed, so a cycle could hide inside a layer.
    graph = {name: set(imports_of(name, path)) - {b for a, b in UPWARD if a == name}
             for name, path in MODULES.items()}
    state = {}

    def visit(node, stack):
        state[node] = 'open'
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open':
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail('import cycle: %s' % ' -> '.join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 'done'
    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_every_listed_upward_edge_still_exists():
    # A stale entry would let the same edge come back without anyone noticing.
    present = {(a, b) for a, b, _ in upward_edges()}
    stale = sorted(set(UPWARD) - present)
    assert not stale, 'remove from UPWARD (no longer imported): %s' % stale


def test_the_dynamic_imports_are_still_in_the_source():
    for (importer, _), literal in DYNAMIC.items():
        assert literal in open(MODULES[importer], encoding='utf-8').read()


def test_context_header_explains_the_kinds_of_upward_import():
    header = ast.get_docstring(ast.parse(open(MODULES['context'],
                                              encoding='utf-8').read()))
    for kind in ('facade', 're-export', 'run', 'log', 'handover'):
        assert kind in header, kind


@pytest.mark.parametrize('edge', sorted(UPWARD))
def test_every_reason_is_one_of_the_five_kinds(edge):
    assert UPWARD[edge].split(':')[0] in (
        'facade', 'stdlib re-export', 'run alias', 'log', 'handover'), UPWARD[edge]


def test_a_planted_upward_import_is_caught(tmp_path, monkeypatch):
    # heap (shared memory) importing pool (a higher layer) must fail.
    planted = tmp_path / 'heap.py'
    planted.write_text(open(MODULES['heap'], encoding='utf-8').read()
                       + '\n\ndef _planted():\n    from teachmp import pool\n')
    monkeypatch.setitem(MODULES, 'heap', str(planted))
    edges = {(a, b) for a, b, _ in upward_edges()}
    assert ('heap', 'pool') in edges
    with pytest.raises(AssertionError, match='heap.py .* imports pool'):
        test_no_import_points_up_without_a_reason()
