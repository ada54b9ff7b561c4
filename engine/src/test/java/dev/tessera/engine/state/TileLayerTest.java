package dev.tessera.engine.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TileLayerTest {

  @Test
  void ringOfTilesBehavesLikeASortedMapUnderInsertsAndEvictions() {
    Random random = new Random(3);
    TileLayer layer = new TileLayer(1000, 2);
    TreeMap<Long, double[]> model = new TreeMap<>();
    long now = 0;
    for (int step = 0; step < 50_000; step++) {
      int r = random.nextInt(10);
      if (r < 7) {
        now += random.nextInt(3) * 1000L;
        long start = now - random.nextInt(5) * 1000L; // mostly in order, sometimes older
        if (!model.isEmpty() && start < model.firstKey() && random.nextBoolean()) {
          continue;
        }
        int i = layer.find(start);
        int off = i >= 0 ? layer.slotOffset(i) : layer.insert(-i - 1, start);
        if (i < 0) {
          layer.data[off] = 0;
          layer.data[off + 1] = 0;
        }
        layer.data[off] += 1;
        layer.data[off + 1] += start;
        double[] m = model.computeIfAbsent(start, k -> new double[2]);
        m[0] += 1;
        m[1] += start;
      } else if (r < 8) {
        long bound = now - random.nextInt(20) * 1000L;
        layer.evictBefore(bound);
        model.headMap(bound).clear();
      } else if (r < 9 && step % 97 == 0) {
        layer.trim();
      }
      if (step % 101 == 0) {
        assertThat(layer.size).isEqualTo(model.size());
        int i = 0;
        for (Map.Entry<Long, double[]> e : model.entrySet()) {
          assertThat(layer.start(i)).isEqualTo(e.getKey());
          assertThat(layer.data[layer.slotOffset(i)]).isEqualTo(e.getValue()[0]);
          assertThat(layer.data[layer.slotOffset(i) + 1]).isEqualTo(e.getValue()[1]);
          i++;
        }
        assertThat(layer.oldest).isEqualTo(model.isEmpty() ? Long.MAX_VALUE : model.firstKey());
      }
    }
  }
}
