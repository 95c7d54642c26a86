from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netops.calico.plugins.module_utils._table import text_table


def test_columns_padded_three_spaces_apart_like_calicoctl():
    table = text_table(["NAME", "PEERIP", "NODE", "ASN"],
                       [["192-20-30-40", "192.20.30.40", "(global)", "64567"]])
    assert table.splitlines() == [
        "NAME           PEERIP         NODE       ASN",
        "192-20-30-40   192.20.30.40   (global)   64567",
    ]
