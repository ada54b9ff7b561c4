package dev.tessera.simulations.generator;

import dev.tessera.engine.event.TitleCatalogue;
import dev.tessera.engine.event.TitleMetadata;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The title catalogue and the member profiles of a simulation; a pure function of its config. */
public record ReferenceData(List<Title> titles, List<MemberProfile> members) {

  /** The twelve genres titles draw from. */
  public static final List<String> GENRES =
      List.of(
          "action",
          "adventure",
          "animation",
          "comedy",
          "crime",
          "documentary",
          "drama",
          "family",
          "fantasy",
          "horror",
          "romance",
          "thriller");

  private static final String[] COUNTRIES = {
    "US", "US", "US", "GB", "GB", "NL", "DE", "DE", "FR", "BR", "BR", "IN", "JP", "CA", "ES", "MX",
    "KR", "SE", "IT", "AU"
  };
  private static final String[] PLANS = {
    "basic", "basic", "standard", "standard", "standard", "premium", "premium"
  };
  private static final LocalDate OLDEST_RELEASE = LocalDate.of(1970, 1, 1);

  public ReferenceData {
    titles = List.copyOf(titles);
    members = List.copyOf(members);
  }

  /** Generates the catalogue and the profiles of this config. */
  public static ReferenceData generate(SimulationConfig config) {
    LocalDate start = LocalDate.ofEpochDay(Math.floorDiv(config.startTimeMs(), 86_400_000L));
    SplittableRandom titleRandom = new SplittableRandom(config.seed() ^ 0x7469746c65734cL);
    List<Title> titles = new ArrayList<>(config.titles());
    for (int i = 0; i < config.titles(); i++) {
      titles.add(title(i, start, titleRandom));
    }
    SplittableRandom memberRandom = new SplittableRandom(config.seed() ^ 0x6d656d626572734cL);
    List<MemberProfile> members = new ArrayList<>(config.members());
    for (int i = 0; i < config.members(); i++) {
      long signupDay = start.toEpochDay() - 1 - memberRandom.nextLong(10 * 365);
      members.add(
          new MemberProfile(
              memberId(i),
              COUNTRIES[memberRandom.nextInt(COUNTRIES.length)],
              PLANS[memberRandom.nextInt(PLANS.length)],
              LocalDate.ofEpochDay(signupDay)));
    }
    return new ReferenceData(titles, members);
  }

  /** The id of member i: {@code m-000017}. */
  public static String memberId(int index) {
    return String.format("m-%06d", index);
  }

  /** The id of title i: {@code t-00042}. */
  public static String titleId(int index) {
    return String.format("t-%05d", index);
  }

  /** The catalogue as the kernel sees it, by title id (in catalogue order). */
  public Map<String, TitleMetadata> catalogue() {
    Map<String, TitleMetadata> map = new LinkedHashMap<>();
    for (Title t : titles) {
      map.put(t.titleId(), t.metadata());
    }
    return map;
  }

  /** The catalogue for {@code EnrichedEvent.enrich}. */
  public TitleCatalogue titleCatalogue() {
    return TitleCatalogue.of(catalogue());
  }

  private static Title title(int index, LocalDate start, SplittableRandom random) {
    int genreCount = 1 + random.nextInt(10) / 4; // 1: 40%, 2: 40%, 3: 20%
    List<String> genres = new ArrayList<>(genreCount);
    while (genres.size() < genreCount) {
      String g = GENRES.get(random.nextInt(GENRES.size()));
      if (!genres.contains(g)) {
        genres.add(g);
      }
    }
    boolean episode = random.nextDouble() < 0.45;
    int minutes = episode ? 20 + random.nextInt(41) : 80 + random.nextInt(101);
    int duration = minutes * 60 + random.nextInt(60);
    long span = start.toEpochDay() - 1 - OLDEST_RELEASE.toEpochDay();
    // More recent titles than old ones.
    long day = OLDEST_RELEASE.toEpochDay() + (long) (span * Math.sqrt(random.nextDouble()));
    return new Title(titleId(index), genres, duration, LocalDate.ofEpochDay(day));
  }
}
