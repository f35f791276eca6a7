"""A manager of your own: register a class, get proxies to its objects."""
import multiprocessing as mp
from multiprocessing.managers import BaseManager


class Scoreboard:
    """An ordinary class; its objects will live in the manager's server."""

    def __init__(self, game):
        self.game = game
        self.scores = {}

    def add(self, player, points):
        self.scores[player] = self.scores.get(player, 0) + points
        return self.scores[player]

    def leader(self):
        return max(self.scores.items(), key=lambda item: item[1], default=None)

    def ranking(self):
        return sorted(self.scores, key=self.scores.get, reverse=True)

    def _reset(self):                   # private: not exposed to proxies
        self.scores.clear()


class GameManager(BaseManager):
    pass


# typeid 'Scoreboard': GameManager().Scoreboard(...) makes one in the server.
GameManager.register('Scoreboard', Scoreboard)
# Only the methods listed in exposed can be called through this proxy.
GameManager.register('ReadOnlyBoard', Scoreboard, exposed=['leader', 'ranking'])


def play(board, player, points):
    board.add(player, points)


if __name__ == '__main__':
    with GameManager() as manager:
        board = manager.Scoreboard('chess')
        for player, points in [('ann', 3), ('bob', 5), ('ann', 4)]:
            p = mp.Process(target=play, args=(board, player, points))
            p.start()
            p.join()
        print('leader:', board.leader())
        print('ranking:', board.ranking())
        print('exposed:', sorted(board._exposed_))

        ro = manager.ReadOnlyBoard('go')
        try:
            ro.add('cid', 1)
        except AttributeError as e:
            print('read-only proxy:', type(e).__name__)
