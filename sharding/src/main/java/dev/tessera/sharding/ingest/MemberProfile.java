package dev.tessera.sharding.ingest;

import java.util.Objects;

/**
 * A member's profile from the compacted {@code member-profiles} topic, keyed by member id; value
 * {@code {"memberId":"m-1","country":"NL","plan":"premium","signupDate":"2023-01-30"}}.
 */
public record MemberProfile(String memberId, String country, String plan, String signupDate) {
  public MemberProfile {
    Objects.requireNonNull(memberId, "memberId");
  }
}
