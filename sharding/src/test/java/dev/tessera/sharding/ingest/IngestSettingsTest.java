package dev.tessera.sharding.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.tessera.engine.event.EventStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngestSettingsTest {

  private static IngestSettings load(String overrides) {
    return IngestSettings.create(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void defaultsNameEveryTopic() {
    IngestSettings settings = load("");
    assertThat(settings.rawTopic()).isEqualTo("member-events");
    assertThat(settings.domainTopic(EventStream.VIEWS)).isEqualTo("views");
    assertThat(settings.domainTopics()).hasSize(EventStream.count());
    assertThat(settings.dedupWindow()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aBadTopicNameNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.ingest.topics.domain.views = \"views topic!\""))
        .hasMessageContaining("tessera.ingest.topics.domain.views")
        .hasMessageContaining("not a Kafka topic name");
  }

  @Test
  void theSameTopicTwiceIsRefused() {
    assertThatThrownBy(() -> load("tessera.ingest.topics.domain.search = views"))
        .hasMessageContaining("tessera.ingest.topics")
        .hasMessageContaining("same topic twice");
  }

  @Test
  void aZeroWindowNamesItsKey() {
    assertThatThrownBy(() -> load("tessera.ingest.dedup.window = 0s"))
        .hasMessageContaining("tessera.ingest.dedup.window");
  }

  @Test
  void tooFewPartitionsNamesTheKey() {
    assertThatThrownBy(() -> load("tessera.ingest.domain-partitions = 0"))
        .hasMessageContaining("tessera.ingest.domain-partitions = 0");
  }

  @Test
  void anEmptyProduceBatchNamesTheKey() {
    assertThat(load("").produceBatch()).isEqualTo(500);
    assertThatThrownBy(() -> load("tessera.ingest.produce-batch = 0"))
        .hasMessageContaining("tessera.ingest.produce-batch = 0");
  }

  @Test
  void aMissingKeyIsNamed() {
    assertThatThrownBy(() -> IngestSettings.create(ConfigFactory.parseString(
            "tessera.ingest.topics.raw = x").resolve()))
        .hasMessageContaining("Invalid configuration");
  }
}
