"""The ``peninsula`` command (:mod:`~sim.cli.main`) and the terminal game (:mod:`~sim.cli.play`).

The top layer of ``sim``: may import everything below it, and nothing imports it.
"""
