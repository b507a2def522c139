package io.github.sdlora4j.data;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a {@link DatasetReader} by the format name used in configurations.
 *
 * <p>Built in: {@code cifar100}, {@code cifar10}, {@code image-folder} (aliases {@code imagenet-r},
 * {@code imagenet-a}, {@code cub200}), {@code domainnet}, {@code fashion-mnist}, {@code mnist},
 * {@code synthetic}. Names are case-insensitive. Further formats can be {@linkplain #register registered}.
 */
public final class DatasetReaders {

    private static final Map<String, DatasetReader> READERS = new ConcurrentHashMap<>();

    static {
        register(CifarBinaryReader.cifar100());
        register(CifarBinaryReader.cifar10());
        for (String n : new String[] {"image-folder", "imagenet-r", "imagenet-a", "cub200"}) {
            register(new ImageFolderReader(n));
        }
        register(new DomainNetReader());
        register(IdxReader.fashionMnist());
        register(IdxReader.mnist());
        register(SyntheticDataset.defaults());
    }

    private DatasetReaders() {
    }

    /**
     * @return the reader registered as {@code format}
     * @throws IllegalArgumentException listing the known formats if there is none
     */
    public static DatasetReader forName(String format) {
        if (format == null || format.isBlank()) {
            throw new IllegalArgumentException("dataset format must be given; known formats: " + names());
        }
        DatasetReader r = READERS.get(format.strip().toLowerCase(Locale.ROOT));
        if (r == null) {
            throw new IllegalArgumentException("unknown dataset format '" + format + "'; known formats: " + names());
        }
        return r;
    }

    /** Registers (or replaces) a reader under its {@link DatasetReader#name()}. */
    public static void register(DatasetReader reader) {
        READERS.put(reader.name().toLowerCase(Locale.ROOT), reader);
    }

    /**
     * Checks {@code options} against the options of the reader registered as {@code format} (nothing to check when
     * there is none yet: opening the spec reports an unknown format).
     *
     * @throws IllegalArgumentException naming an unknown option (and the closest known one) or a bad value
     */
    public static void checkOptions(String format, Map<String, String> options) {
        DatasetReader r = format == null ? null : READERS.get(format.strip().toLowerCase(Locale.ROOT));
        if (r == null) {
            return;
        }
        Map<String, ReaderOption> known = new TreeMap<>();
        r.options().forEach(o -> known.put(o.name(), o));
        for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
            ReaderOption o = known.get(e.getKey());
            if (o == null) {
                String close = Suggestions.closest(e.getKey(), known.keySet());
                throw new IllegalArgumentException("unknown key 'dataset.options." + e.getKey() + "' for format "
                        + format + (close != null ? " (did you mean '" + close + "'?)" : "")
                        + (known.isEmpty() ? "; this format takes no options"
                        : "; its options: " + String.join(", ", known.keySet())));
            }
            o.check(format, e.getValue());
        }
    }

    /** @return the registered format names, sorted */
    public static Set<String> names() {
        return new TreeSet<>(READERS.keySet());
    }
}
