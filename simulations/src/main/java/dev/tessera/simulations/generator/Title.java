package dev.tessera.simulations.generator;

import dev.tessera.engine.event.TitleMetadata;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/** A catalogue title, as published to the {@code content-metadata} topic. */
public record Title(
    String titleId, List<String> genres, int durationSeconds, LocalDate releaseDate) {
  public Title {
    Objects.requireNonNull(titleId, "titleId");
    genres = List.copyOf(genres);
    Objects.requireNonNull(releaseDate, "releaseDate");
  }

  /** What the kernel joins into events. */
  public TitleMetadata metadata() {
    return new TitleMetadata(titleId, genres, durationSeconds);
  }
}
