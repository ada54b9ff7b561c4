package dev.tessera.engine.state;

/** Outcome counts of one applied batch. */
public record ApplyCounts(int accepted, int late, int duplicates, int alreadyApplied) {
  public int total() {
    return accepted + late + duplicates + alreadyApplied;
  }
}
