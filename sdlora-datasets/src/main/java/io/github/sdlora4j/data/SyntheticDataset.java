package io.github.sdlora4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The embedded synthetic benchmark (format {@code synthetic}): no files, images drawn on demand by
 * {@link SyntheticImages}, deterministic per seed.
 *
 * <p>Concepts are dealt from a fixed shuffle of the {@value SyntheticImages#CONCEPTS}-concept
 * vocabulary: the benchmark takes the first {@code classes}, the <b>pretraining split</b> the next
 * {@code pretrainClasses}. The two are disjoint for every seed, and share shapes, textures and
 * colours, so a backbone pretrained on one transfers to the other.
 *
 * <p>Reader options (all optional): {@code seed} (1), {@code classes} (100), {@code trainPerClass}
 * (100), {@code testPerClass} (20), {@code size} (32), {@code split} ({@code benchmark} or
 * {@code pretrain}), {@code pretrainClasses} (100), {@code rendition} ({@code photo} or {@code sketch}: the drawing
 * style of both splits, see {@link SyntheticImages.Rendition}).
 *
 * @param seed            image seed
 * @param classes         benchmark classes
 * @param trainPerClass   training images per class
 * @param testPerClass    test images per class
 * @param size            image width and height
 * @param pretrainClasses classes of the disjoint pretraining split
 * @param rendition       drawing style of the images
 */
public record SyntheticDataset(long seed, int classes, int trainPerClass, int testPerClass, int size,
                               int pretrainClasses, SyntheticImages.Rendition rendition) implements DatasetReader {

    /** Seed of the fixed vocabulary shuffle that deals concepts to the benchmark and pretraining splits. */
    static final long VOCABULARY_SEED = 20240229L;

    private static final String[] SHAPE_NAMES = {"disc", "square", "triangle", "ring", "cross", "diamond", "star",
        "hexagon", "crescent", "bar"};
    private static final String[] TEXTURE_NAMES = {"solid", "stripes", "checker", "dots", "gradient", "rings"};
    // Named after the bin centres (22.5, 67.5, ... degrees).
    private static final String[] HUE_NAMES = {"orange", "yellow", "green", "teal", "azure", "indigo", "violet", "rose"};

    /** Validates the counts. */
    public SyntheticDataset {
        if (classes <= 0 || pretrainClasses < 0 || classes + pretrainClasses > SyntheticImages.CONCEPTS) {
            throw new IllegalArgumentException("synthetic classes (" + classes + ") + pretrainClasses ("
                    + pretrainClasses + ") must be in 1.." + SyntheticImages.CONCEPTS);
        }
        if (trainPerClass <= 0 || testPerClass <= 0) {
            throw new IllegalArgumentException("synthetic trainPerClass and testPerClass must be > 0, got "
                    + trainPerClass + " and " + testPerClass);
        }
        new SyntheticImages(size, rendition); // validates size and rendition
    }

    /** A dataset in the {@link SyntheticImages.Rendition#PHOTO} style. */
    public SyntheticDataset(long seed, int classes, int trainPerClass, int testPerClass, int size,
                            int pretrainClasses) {
        this(seed, classes, trainPerClass, testPerClass, size, pretrainClasses, SyntheticImages.Rendition.PHOTO);
    }

    /** @return the defaults: seed 1, 100 classes, 100 train / 20 test images per class, 32x32, 100 pretraining classes */
    public static SyntheticDataset defaults() {
        return new SyntheticDataset(1, 100, 100, 20, 32, 100);
    }

    /** @return this dataset with the fields named in reader {@code options} (see class doc) replaced */
    public SyntheticDataset withOptions(Map<String, String> options) {
        SyntheticDataset d = this;
        return new SyntheticDataset(
                Long.parseLong(options.getOrDefault("seed", String.valueOf(d.seed)).strip()),
                intOption(options, "classes", d.classes), intOption(options, "trainPerClass", d.trainPerClass),
                intOption(options, "testPerClass", d.testPerClass), intOption(options, "size", d.size),
                intOption(options, "pretrainClasses", d.pretrainClasses), renditionOption(options, d.rendition));
    }

    private static SyntheticImages.Rendition renditionOption(Map<String, String> options,
                                                             SyntheticImages.Rendition def) {
        String v = options.get("rendition");
        if (v == null) {
            return def;
        }
        for (SyntheticImages.Rendition r : SyntheticImages.Rendition.values()) {
            if (r.name().equalsIgnoreCase(v.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("synthetic option 'rendition' must be 'photo' or 'sketch', got '" + v + "'");
    }

    @Override
    public String name() {
        return "synthetic";
    }

    @Override
    public List<ReaderOption> options() {
        return List.of(ReaderOption.longValue("seed"), ReaderOption.integer("classes"),
                ReaderOption.integer("trainPerClass"), ReaderOption.integer("testPerClass"), ReaderOption.integer("size"),
                ReaderOption.integer("pretrainClasses"), ReaderOption.choice("rendition", "photo", "sketch"),
                ReaderOption.choice("split", "benchmark", "pretrain"));
    }

    /** Every field and the split, defaults filled in: what determines the images. */
    @Override
    public Map<String, String> generatorOptions(Map<String, String> options) {
        SyntheticDataset d = withOptions(options);
        Map<String, String> m = new TreeMap<>();
        m.put("seed", Long.toString(d.seed));
        m.put("classes", Integer.toString(d.classes));
        m.put("trainPerClass", Integer.toString(d.trainPerClass));
        m.put("testPerClass", Integer.toString(d.testPerClass));
        m.put("size", Integer.toString(d.size));
        m.put("pretrainClasses", Integer.toString(d.pretrainClasses));
        m.put("rendition", d.rendition.name().toLowerCase(Locale.ROOT));
        m.put("split", options.getOrDefault("split", "benchmark").strip());
        return m;
    }

    /** Reads the split selected by option {@code split}; other options override this record's fields. */
    @Override
    public LabeledDataset read(Path root, Map<String, String> options, boolean skipCorrupt) {
        SyntheticDataset d = withOptions(options);
        String split = options.getOrDefault("split", "benchmark").strip();
        return switch (split) {
            case "benchmark" -> d.benchmark();
            case "pretrain" -> d.pretraining();
            default -> throw new IllegalArgumentException("synthetic option 'split' must be 'benchmark' or 'pretrain', got '"
                    + split + "'");
        };
    }

    /** @return the benchmark classes and their train/test images */
    public LabeledDataset benchmark() {
        int[] concepts = concepts(0, classes);
        return dataset("synthetic benchmark (seed " + seed + ")", concepts, 0);
    }

    /** @return the pretraining split: {@code pretrainClasses} concepts disjoint from the benchmark's */
    public LabeledDataset pretraining() {
        if (pretrainClasses == 0) {
            throw new IllegalArgumentException("synthetic pretrainClasses is 0; there is no pretraining split");
        }
        int[] concepts = concepts(classes, pretrainClasses);
        return dataset("synthetic pretraining split (seed " + seed + ")", concepts, 2);
    }

    /** @return the vocabulary concepts of the benchmark classes, in original class order */
    public int[] benchmarkConcepts() {
        return concepts(0, classes);
    }

    /** @return the vocabulary concepts of the pretraining classes */
    public int[] pretrainingConcepts() {
        return concepts(classes, pretrainClasses);
    }

    /** @return a readable name of a concept, e.g. {@code "ring/stripes/blue"} */
    public static String conceptName(int concept) {
        return SHAPE_NAMES[concept % SyntheticImages.SHAPES] + "/"
                + TEXTURE_NAMES[(concept / SyntheticImages.SHAPES) % SyntheticImages.TEXTURES] + "/"
                + HUE_NAMES[concept / (SyntheticImages.SHAPES * SyntheticImages.TEXTURES)];
    }

    private static int[] concepts(int from, int count) {
        int[] all = ClassOrders.javaShuffle(SyntheticImages.CONCEPTS, VOCABULARY_SEED);
        int[] out = new int[count];
        System.arraycopy(all, from, out, 0, count);
        return out;
    }

    private LabeledDataset dataset(String name, int[] concepts, int splitTag) {
        SyntheticImages images = new SyntheticImages(size, rendition);
        List<String> names = IntStream.of(concepts).mapToObj(SyntheticDataset::conceptName).toList();
        return new LabeledDataset(name, names,
                new Split(images, concepts, trainPerClass, seed, splitTag),
                new Split(images, concepts, testPerClass, seed, splitTag + 1));
    }

    private static int intOption(Map<String, String> options, String key, int def) {
        String v = options.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("synthetic option '" + key + "' must be an integer, got '" + v + "'", e);
        }
    }

    /** Images grouped by class: index {@code i} is instance {@code i % perClass} of class {@code i / perClass}. */
    private static final class Split implements DatasetSplit {
        private final SyntheticImages images;
        private final int[] concepts;
        private final int perClass;
        private final long seed;
        private final int splitTag;

        Split(SyntheticImages images, int[] concepts, int perClass, long seed, int splitTag) {
            this.images = Objects.requireNonNull(images);
            this.concepts = concepts;
            this.perClass = perClass;
            this.seed = seed;
            this.splitTag = splitTag;
        }

        @Override
        public int size() {
            return concepts.length * perClass;
        }

        @Override
        public int label(int index) {
            return Objects.checkIndex(index, size()) / perClass;
        }

        @Override
        public RawImage image(int index) {
            int label = label(index);
            return images.render(concepts[label], imageSeed(seed, splitTag, concepts[label], index % perClass));
        }

        @Override
        public String source(int index) {
            return "synthetic split " + splitTag + " image " + index;
        }

        private static long imageSeed(long seed, int splitTag, int concept, int instance) {
            long h = seed * 0x9E3779B97F4A7C15L;
            h = (h ^ splitTag) * 0xBF58476D1CE4E5B9L;
            h = (h ^ concept) * 0x94D049BB133111EBL;
            h = (h ^ instance) * 0x9E3779B97F4A7C15L;
            return h ^ (h >>> 31);
        }
    }
}
