package dev.tessera.serving.features;

import dev.tessera.sharding.store.StoredSnapshot;
import java.util.Objects;

/**
 * The answer for one (member, group) of a read.
 *
 * @param snapshot the vector for {@link Status#PRESENT}; the stale one for {@link Status#EXPIRED};
 *     null otherwise
 */
public record GroupRead(String group, Status status, StoredSnapshot snapshot) {

  /** Per-group status of a read. */
  public enum Status {
    /** Fresh values, exact as of {@code asOf}. */
    PRESENT,
    /** The member has no accepted event in this group's streams. */
    NOT_FOUND,
    /** The member's last event is older than the group's TTL. */
    EXPIRED,
    /** The member's entity did not answer in time (batch reads only; single reads answer 503). */
    UNAVAILABLE
  }

  public GroupRead {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(status, "status");
  }
}
