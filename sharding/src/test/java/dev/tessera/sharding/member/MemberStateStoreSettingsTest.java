package dev.tessera.sharding.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class MemberStateStoreSettingsTest {

  private static MemberStateStore.Settings load(String overrides) {
    return MemberStateStore.Settings.create(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void loadBatchingDefaultsComeFromReferenceConf() {
    MemberStateStore.Settings settings = load("");

    assertThat(settings.loadBatchSize()).isEqualTo(64);
    assertThat(settings.maxConcurrentLoads()).isEqualTo(4);
    assertThat(settings.bucketsPerPartition()).isEqualTo(16);
    assertThat(settings.maxBatchBytes()).isEqualTo(256 * 1024);
  }

  @Test
  void noBucketNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.features.state.buckets-per-partition = 0"))
        .hasMessageContaining("tessera.features.state.buckets-per-partition = 0 must be at least 1");
  }

  @Test
  void aLoadBatchOfNoMemberNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.features.state.load-batch-size = 0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tessera.features.state.load-batch-size = 0 must be at least 1");
  }

  @Test
  void noConcurrentLoadNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.features.state.max-concurrent-loads = 0"))
        .hasMessageContaining("tessera.features.state.max-concurrent-loads = 0 must be at least 1");
  }
}
