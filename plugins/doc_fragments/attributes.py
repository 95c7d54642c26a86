# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Modules that change the datastore.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the datastore.
    support: full
  diff_mode:
    description: Returns the resource before and after the change, without the metadata Calico manages itself.
    support: full
"""

    # Modules that only read.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode; the module never changes anything.
    support: full
  diff_mode:
    description: The module never changes anything, so there is no diff.
    support: none
"""
