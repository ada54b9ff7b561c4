package dev.tessera.engine.event;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/** Catalogue metadata of a title, joined into events at ingestion. */
public record TitleMetadata(String titleId, List<String> genres, int durationSeconds)
    implements Serializable {
  public TitleMetadata {
    Objects.requireNonNull(titleId, "titleId");
    genres = List.copyOf(genres);
  }
}
