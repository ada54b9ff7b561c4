package dev.tessera.sharding.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.event.TitleMetadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-memory copies of the two compacted reference topics, read by the ingestion stream for every
 * event and updated by {@link ReferenceLoader} while it runs: a content update changes the
 * enrichment of every later event. Thread-safe.
 *
 * <p>Content metadata value: {@code {"titleId":"t-1","genres":["drama"],"durationSeconds":5400,
 * "releaseDate":"2019-04-12"}}, keyed by title id; a null value (tombstone) removes the title.
 */
public final class ReferenceCache implements TitleCatalogue {
  private static final Logger log = LoggerFactory.getLogger(ReferenceCache.class);

  private final ObjectMapper json;
  private final ConcurrentHashMap<String, TitleMetadata> titles = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, MemberProfile> members = new ConcurrentHashMap<>();
  private final LongAdder unreadable = new LongAdder();

  public ReferenceCache(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public Optional<TitleMetadata> find(String titleId) {
    return Optional.ofNullable(titles.get(titleId));
  }

  /** The title's metadata, or null: the allocation-free lookup of the hot path. */
  TitleMetadata title(String titleId) {
    return titles.get(titleId);
  }

  /** The member's profile, or null when unknown. */
  public MemberProfile member(String memberId) {
    return members.get(memberId);
  }

  public int titleCount() {
    return titles.size();
  }

  public int memberCount() {
    return members.size();
  }

  /** Reference records that could not be read (logged and skipped; the previous value stays). */
  public long unreadable() {
    return unreadable.sum();
  }

  /** Applies one record of the content-metadata topic. */
  public void applyContent(byte[] key, byte[] value) {
    if (key == null) {
      unreadable("content-metadata", "null key");
      return;
    }
    String titleId = new String(key, StandardCharsets.UTF_8);
    if (value == null) {
      titles.remove(titleId);
      return;
    }
    try {
      JsonNode node = json.readTree(value);
      List<String> genres = new ArrayList<>();
      node.path("genres").forEach(g -> genres.add(g.asText()));
      if (!node.path("genres").isArray()) {
        throw new IllegalArgumentException("genres is not an array");
      }
      titles.put(titleId, new TitleMetadata(titleId, genres, node.path("durationSeconds").asInt(0)));
    } catch (Exception e) {
      unreadable("content-metadata " + titleId, e.getMessage());
    }
  }

  /** Applies one record of the member-profiles topic. */
  public void applyProfile(byte[] key, byte[] value) {
    if (key == null) {
      unreadable("member-profiles", "null key");
      return;
    }
    String memberId = new String(key, StandardCharsets.UTF_8);
    if (value == null) {
      members.remove(memberId);
      return;
    }
    try {
      JsonNode node = json.readTree(value);
      if (!node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      members.put(memberId, new MemberProfile(memberId, text(node, "country"), text(node, "plan"),
          text(node, "signupDate")));
    } catch (Exception e) {
      unreadable("member-profiles " + memberId, e.getMessage());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private void unreadable(String what, String why) {
    unreadable.increment();
    log.warn("Skipping unreadable reference record {}: {}", what, why);
  }
}
