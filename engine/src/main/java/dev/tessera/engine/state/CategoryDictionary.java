package dev.tessera.engine.state;

import java.util.Arrays;

/**
 * Per-member dictionary of category values (titles, genres, ...) to small ints, so tiles store
 * ints. Linear scan of hashes while small, an open-addressing index once larger.
 */
final class CategoryDictionary {
  private static final int INDEX_FROM = 32;

  String[] names = new String[0];
  private int[] hashes = new int[0];
  int size;
  private int[] index; // slot -> id + 1, 0 = empty

  /**
   * The id of the name, or -1. Names are compared by reference first: category values taken from
   * the title catalogue (genres) are the same objects every time, so most lookups never read {@code
   * hashes}.
   */
  int find(String name) {
    int h = name.hashCode();
    if (index == null) {
      for (int i = 0; i < size; i++) {
        if (names[i] == name || (hashes[i] == h && names[i].equals(name))) {
          return i;
        }
      }
      return -1;
    }
    int mask = index.length - 1;
    for (int p = mix(h) & mask; ; p = (p + 1) & mask) {
      int id = index[p] - 1;
      if (id < 0) {
        return -1;
      }
      if (names[id] == name || (hashes[id] == h && names[id].equals(name))) {
        return id;
      }
    }
  }

  int intern(String name) {
    int id = find(name);
    if (id >= 0) {
      return id;
    }
    if (size > CategoryTiles.CATEGORY_MASK) {
      throw new IllegalStateException(
          "more than " + CategoryTiles.CATEGORY_MASK + " live categories in one member");
    }
    if (size == names.length) {
      int cap = Math.max(4, size + (size >> 1) + 1);
      names = Arrays.copyOf(names, cap);
      hashes = Arrays.copyOf(hashes, cap);
    }
    names[size] = name;
    hashes[size] = name.hashCode();
    id = size++;
    if (index != null && size * 2 > index.length) {
      rebuildIndex();
    } else if (index != null) {
      insert(id);
    } else if (size > INDEX_FROM) {
      rebuildIndex();
    }
    return id;
  }

  private void rebuildIndex() {
    int cap = Integer.highestOneBit(size * 4);
    index = new int[cap];
    for (int i = 0; i < size; i++) {
      insert(i);
    }
  }

  private void insert(int id) {
    int mask = index.length - 1;
    int p = mix(hashes[id]) & mask;
    while (index[p] != 0) {
      p = (p + 1) & mask;
    }
    index[p] = id + 1;
  }

  private static int mix(int h) {
    return h ^ (h >>> 16) * 0x45d9f3b;
  }

  String name(int id) {
    return names[id];
  }

  /**
   * Keeps only the live ids, renumbered densely in their old order.
   *
   * @return old id -&gt; new id, -1 for dropped ids
   */
  int[] compact(boolean[] live) {
    int[] remap = new int[size];
    String[] kept = new String[size];
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (live[i]) {
        remap[i] = n;
        kept[n++] = names[i];
      } else {
        remap[i] = -1;
      }
    }
    names = new String[0];
    hashes = new int[0];
    size = 0;
    index = null;
    for (int i = 0; i < n; i++) {
      intern(kept[i]);
    }
    return remap;
  }
}
