package dev.tessera.simulations.generator;

import java.time.LocalDate;
import java.util.Objects;

/** A member's profile, as published to the {@code member-profiles} topic. */
public record MemberProfile(String memberId, String country, String plan, LocalDate signupDate) {
  public MemberProfile {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(country, "country");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(signupDate, "signupDate");
  }
}
