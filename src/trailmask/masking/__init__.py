"""Dynamic data masking (L2): the policy, its operators and detectors, and the compiler that turns
them into the relation a role reads instead of ``events``. Pure: builds SQL trees, does no I/O
besides reading policy files.
"""
