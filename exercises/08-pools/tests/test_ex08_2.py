"""Tests of exercise 08.2: a parallel word count with a Pool.

They check that the counts are right, never how fast they were computed:
measuring the speed-up is up to you (see the README).
"""
import collections
import multiprocessing as mp
import random

import pytest

import helpers08

pytestmark = [pytest.mark.ex08_2, pytest.mark.timeout(60)]

VOCABULARY = ['pool', 'worker', 'task', 'chunk', 'result', 'queue', 'pipe',
              'プール', 'ワーカー', "don't", "it's", 'Python', 'PYTHON']


def random_texts(seed, count, length):
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = [rng.choice(VOCABULARY) for _ in range(length)]
        texts.append(' '.join(p + rng.choice(['', ',', '.', '!', ' 42', '\n'])
                              for p in parts))
    return texts


def test_count_one_counts_a_text_and_a_file(ex, tmp_path):
    assert ex.count_one('The pool, the POOL and a worker.') == collections.Counter(
        {'the': 2, 'pool': 2, 'and': 1, 'a': 1, 'worker': 1})
    path = tmp_path / 'one.txt'
    path.write_text('tasks and chunks; tasks!\n', encoding='utf-8')
    assert ex.count_one(path) == collections.Counter({'tasks': 2, 'and': 1, 'chunks': 1})


def test_count_one_runs_in_a_worker(ex):
    with mp.Pool(2) as pool:
        counts = pool.map(ex.count_one, ['a b a', 'b c'])
    assert counts == [collections.Counter({'a': 2, 'b': 1}), collections.Counter({'b': 1, 'c': 1})]


def test_count_serial(ex, tmp_path):
    texts = random_texts(7, 30, 100)
    assert ex.count_serial(texts) == helpers08.reference_count(texts)
    assert ex.count_serial(iter(texts[:3])) == helpers08.reference_count(texts[:3])
    assert ex.count_serial([]) == collections.Counter()


@pytest.mark.parametrize('processes', [1, 2, 3])
def test_texts_equal_serial(ex, processes):
    texts = random_texts(8, 40, 200)
    result = ex.count_words(texts, processes)
    assert isinstance(result, collections.Counter)
    assert result == helpers08.reference_count(texts)


def test_the_same_word_in_many_items_is_added_up(ex):
    texts = ['pool'] * 50 + ['worker pool'] * 7
    assert ex.count_words(texts, 2) == collections.Counter({'pool': 57, 'worker': 7})


def test_files_equal_serial(ex, tmp_path):
    paths = []
    for i, text in enumerate(random_texts(80, 12, 500)):
        path = tmp_path / f'part{i}.txt'
        path.write_text(text, encoding='utf-8')
        paths.append(path)
    assert ex.count_words(paths, 2) == helpers08.reference_count(paths)


def test_a_mix_of_files_and_texts_and_a_generator(ex, tmp_path):
    path = tmp_path / 'big.txt'
    path.write_text('chunk ' * 1000, encoding='utf-8')
    items = [path, 'chunk size', '', path]
    expected = collections.Counter({'chunk': 2001, 'size': 1})
    assert helpers08.reference_count(items) == expected
    assert ex.count_serial(items) == expected
    assert ex.count_words(iter(items), 2) == expected


def test_nothing_to_count(ex):
    assert ex.count_words([], 2) == collections.Counter()
    assert mp.active_children() == []
