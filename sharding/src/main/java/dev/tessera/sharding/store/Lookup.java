package dev.tessera.sharding.store;

import dev.tessera.sharding.CborSerializable;
import java.util.Objects;

/** The result of reading one {@code (memberId, group)} key from the online store. */
public sealed interface Lookup extends CborSerializable {

  /** The key's latest snapshot, not expired at the time of the read. */
  record Present(StoredSnapshot snapshot) implements Lookup {
    public Present {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /**
   * The key is known but the read's {@code now >= expiresAt}; the sweep has not evicted it yet.
   * Callers treat it as absent, or use the stale values knowingly.
   */
  record Expired(StoredSnapshot snapshot) implements Lookup {
    public Expired {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /** The store holds nothing for the key (never published, evicted, or on another node). */
  enum NotFound implements Lookup {
    INSTANCE
  }
}
