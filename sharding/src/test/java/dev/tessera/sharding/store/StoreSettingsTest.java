package dev.tessera.sharding.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

  private static StoreSettings load(String overrides) {
    return StoreSettings.create(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void defaultsComeFromReferenceConf() {
    StoreSettings settings = load("");

    assertThat(settings.sweepInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.maxEntries()).isEqualTo(2_000_000);
    assertThat(settings.maxBytes()).isEqualTo((long) (0.4 * Runtime.getRuntime().maxMemory()));
  }

  @Test
  void overridesAreRead() {
    StoreSettings settings = load(
        "tessera.store { sweep-interval = 250ms, max-entries = 7, max-heap-share = 0.25 }");

    assertThat(settings).isEqualTo(new StoreSettings(Duration.ofMillis(250), 7,
        (long) (0.25 * Runtime.getRuntime().maxMemory())));
  }

  @Test
  void aHeapShareOutsideItsRangeNamesItsKey() {
    for (String share : new String[] {"0", "-0.1", "0.81", "2"}) {
      assertThatThrownBy(() -> load("tessera.store.max-heap-share = " + share))
          .as(share)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tessera.store.max-heap-share = ")
          .hasMessageContaining("must be above 0 and at most 0.8");
    }
  }

  @Test
  void aZeroSweepIntervalNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.store.sweep-interval = 0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tessera.store.sweep-interval")
        .hasMessageContaining("must be positive");
  }

  @Test
  void tooFewEntriesNamesTheKey() {
    assertThatThrownBy(() -> load("tessera.store.max-entries = 0"))
        .hasMessageContaining("tessera.store.max-entries = 0 must be at least 1");
  }

  @Test
  void aValueOfTheWrongTypeNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.store.max-entries = lots"))
        .hasMessageContaining("Invalid configuration")
        .hasMessageContaining("max-entries");
  }

  @Test
  void aMissingKeyIsNamed() {
    assertThatThrownBy(() -> StoreSettings.create(
            ConfigFactory.parseString("tessera.store.max-entries = 5").resolve()))
        .hasMessageContaining("Invalid configuration")
        .hasMessageContaining("sweep-interval");
  }
}
