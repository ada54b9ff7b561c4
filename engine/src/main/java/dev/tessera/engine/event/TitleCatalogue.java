package dev.tessera.engine.event;

import java.util.Map;
import java.util.Optional;

/** Looks titles up for enrichment. Implementations must be thread-safe. */
@FunctionalInterface
public interface TitleCatalogue {

  /** The title's metadata, or empty when the catalogue does not know it. */
  Optional<TitleMetadata> find(String titleId);

  /** A catalogue that knows no title. */
  static TitleCatalogue empty() {
    return id -> Optional.empty();
  }

  /** An in-memory catalogue. */
  static TitleCatalogue of(Map<String, TitleMetadata> titles) {
    Map<String, TitleMetadata> copy = Map.copyOf(titles);
    return id -> Optional.ofNullable(copy.get(id));
  }
}
