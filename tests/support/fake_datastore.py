"""An in-memory stand-in for _datastore_etcd.EtcdDatastore with etcd's revision semantics, for unit
tests of pure logic only. Module behaviour is proven against a real etcd elsewhere."""
from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import KeyValue, Write


class FakeDatastore(object):
    def __init__(self):
        self.revision_counter = 1
        self.data = {}  # key -> KeyValue
        self.created_at = {}  # key -> the revision that created it (etcd's create_revision)
        self.writes_sent = 0
        self.transactions_sent = 0
        # called once before the next commit is checked: simulates a concurrent writer
        self.before_commit = []

    def put(self, key, value):
        """An unconditional write from 'someone else'."""
        self.revision_counter += 1
        previous = self.data.get(key)
        if previous is None:
            self.created_at[key] = self.revision_counter
        self.data[key] = KeyValue(key, value, self.revision_counter, previous.version + 1 if previous else 1)

    def get(self, key):
        return self.data.get(key)

    def get_prefix(self, prefix):
        return [self.data[key] for key in sorted(self.data) if key.startswith(prefix)]

    def revision(self):
        return self.revision_counter

    def commit(self, writes):
        if self.before_commit:
            self.before_commit.pop(0)(self)
        self.transactions_sent += 1
        for write in writes:
            current = self.data.get(write.key)
            if write.kind == "create" and current is not None:
                return None
            if write.kind in ("update", "delete") and (current is None or current.mod_revision != write.mod_revision):
                return None
            if write.kind == "delete_created" and (current is None or self.created_at[write.key] != write.mod_revision):
                return None
        self.revision_counter += 1
        for write in writes:
            if write.kind in ("delete", "delete_created"):
                del self.data[write.key]
            else:
                previous = self.data.get(write.key)
                if previous is None:
                    self.created_at[write.key] = self.revision_counter
                self.data[write.key] = KeyValue(write.key, write.value, self.revision_counter,
                                                previous.version + 1 if previous else 1)
        self.writes_sent += len(writes)
        return self.revision_counter

    def create(self, key, value):
        return self.commit([Write("create", key, value, 0)])

    def update(self, key, value, mod_revision):
        return self.commit([Write("update", key, value, mod_revision)])

    def delete(self, key, mod_revision):
        return self.commit([Write("delete", key, None, mod_revision)])

    def close(self):
        pass
