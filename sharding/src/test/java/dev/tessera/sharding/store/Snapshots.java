package dev.tessera.sharding.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test snapshots of the shape of the default feature group (17 features, 2 genre maps). */
final class Snapshots {
  static final String GROUP = "member_engagement";
  static final List<String> GENRES =
      List.of("action", "comedy", "documentary", "drama", "horror", "kids", "romance", "sci-fi");

  private Snapshots() {}

  /** A snapshot with no values. */
  static StoredSnapshot of(String memberId, long version, long expiresAt) {
    return new StoredSnapshot(memberId, GROUP, 1, version, Map.of(), 1_000, 900, 1_001,
        expiresAt, Map.of("views", -1L));
  }

  /** A realistic snapshot: counts, sums, ratios, two maps over five of the genres. */
  static StoredSnapshot engagement(String memberId, long version, long expiresAt, int seed) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("clicks_1h", (long) (seed % 40));
    values.put("ctr_1h", (seed % 7) / 7.0);
    values.put("distinct_titles_24h", (long) (seed % 90));
    values.put("diversity_24h", 1.0 + (seed % 100) / 100.0);
    values.put("engagement_rate_1h", (seed % 11) / 3.0);
    values.put("genre_affinity_24h", genres(seed, 1.0));
    values.put("impressions_1h", (long) (seed % 300));
    values.put("plays_1h", (long) (seed % 30));
    values.put("plays_1m", (long) (seed % 3));
    values.put("plays_24h", (long) (seed % 200));
    values.put("plays_5m", (long) (seed % 8));
    values.put("plays_tumbling_5m", (long) (seed % 6));
    values.put("recency_genre_pref_24h", genres(seed, 1234.5));
    values.put("searches_1h", (long) (seed % 12));
    values.put("session_seconds", 60.0 * (seed % 500) + 0.5);
    values.put("watch_seconds_1h", 13.0 * (seed % 277) + 0.25);
    values.put("watch_seconds_24h", 17.0 * (seed % 9_000) + 0.75);
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (String stream : List.of("views", "engagement", "search", "ratings", "device")) {
      offsets.put(stream, 1_000_000L + seed * 7L + stream.length());
    }
    return new StoredSnapshot(memberId, GROUP, 1, version, values, expiresAt - 1_000,
        expiresAt - 2_000, expiresAt - 900, expiresAt, offsets);
  }

  private static Map<String, Double> genres(int seed, double scale) {
    Map<String, Double> shares = new TreeMap<>();
    for (int i = 0; i < 5; i++) {
      shares.put(GENRES.get((seed + i * 3) % GENRES.size()), scale * (i + 1 + seed % 13) / 97.0);
    }
    return shares;
  }
}
