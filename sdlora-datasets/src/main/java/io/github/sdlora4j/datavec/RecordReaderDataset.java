package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.DatasetFormatException;
import io.github.sdlora4j.data.LabeledDataset;
import io.github.sdlora4j.data.RawImage;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.datavec.api.writable.WritableType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a DataVec {@link RecordReader} into a {@link LabeledDataset}, so that any reader yielding an image and a
 * label (DataVec's {@code ImageRecordReader}, a {@code CSVRecordReader} over a list of paths, our
 * {@link ImageFileRecordReader} or {@link DatasetRecordReader}, a reader of your own) becomes a class-incremental
 * benchmark.
 *
 * <p>Each record is {@code [image, ..., label]}: the image is its first writable, the label its last.
 * <ul>
 *   <li>image: an {@link NDArrayWritable} of pixel values 0–255 shaped {@code [1, C, H, W]}, {@code [C, H, W]} or
 *       {@code [H, W]} with C = 1 or 3 (kept as bytes), or a {@link Text} holding a file path or {@code file:} URI
 *       of a JPEG/PNG (decoded lazily; a relative path is taken relative to the folder of the file the record came
 *       from, e.g. the CSV list);</li>
 *   <li>label: an integer writable (the class index) or a {@link Text} (a class name, or an index).</li>
 * </ul>
 * Classes are the names passed in, or else the reader's {@link RecordReader#getLabels()} (for DataVec's path label
 * generators, the sorted label names). Images may have any size: the benchmark's preprocessing resizes each one.
 *
 * <p>Every record is checked here, before training: a record without an image or a label, a label outside the
 * declared classes or a missing file is a {@link DatasetFormatException} naming the record (its URI where DataVec
 * gives one) and what was expected.
 */
public final class RecordReaderDataset {

    private RecordReaderDataset() {
    }

    /**
     * Initializes {@code reader} on {@code train}, reads it, then on {@code test}, and reads that.
     *
     * @param classNames the classes (label index i = {@code classNames.get(i)}), or {@code null} for the reader's
     *                   {@link RecordReader#getLabels()}
     * @throws DatasetFormatException if a record is not an image with a label of the declared classes
     */
    public static LabeledDataset read(RecordReader reader, InputSplit train, InputSplit test, List<String> classNames) {
        initialize(reader, train, "train");
        List<String> classes = declaredClasses(reader, classNames);
        RecordSplit trainSplit = scan(reader, "train", classes);
        initialize(reader, test, "test");
        checkSameLabels(reader, classes, classNames);
        RecordSplit testSplit = scan(reader, "test", classes);
        return new LabeledDataset(name(reader), classes, trainSplit, testSplit);
    }

    /**
     * Reads two readers already initialized on the train and the test data.
     *
     * @param classNames the classes, or {@code null} for {@code train}'s {@link RecordReader#getLabels()}
     * @throws DatasetFormatException if a record is not an image with a label of the declared classes
     */
    public static LabeledDataset read(RecordReader train, RecordReader test, List<String> classNames) {
        List<String> classes = declaredClasses(train, classNames);
        checkSameLabels(test, classes, classNames);
        RecordSplit trainSplit = scan(train, "train", classes);
        RecordSplit testSplit = scan(test, "test", classes);
        return new LabeledDataset(name(train), classes, trainSplit, testSplit);
    }

    private static String name(RecordReader reader) {
        return "DataVec " + reader.getClass().getSimpleName();
    }

    private static void initialize(RecordReader reader, InputSplit split, String which) {
        try {
            reader.initialize(split);
        } catch (IOException e) {
            throw new DatasetFormatException(null, "expected the " + which + " InputSplit (" + describe(split)
                    + ") to be readable by " + reader.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while initializing the " + which + " RecordReader", e);
        }
    }

    private static String describe(InputSplit split) {
        URI[] locations = split.locations();
        return locations == null || locations.length == 0 ? "no locations"
                : locations.length + " locations, first " + locations[0];
    }

    private static List<String> declaredClasses(RecordReader reader, List<String> classNames) {
        List<String> classes = classNames != null ? classNames : reader.getLabels();
        if (classes == null || classes.isEmpty()) {
            throw new IllegalArgumentException("expected the classes: " + reader.getClass().getSimpleName()
                    + ".getLabels() gives none, so pass the class names (label index i = name i)");
        }
        return List.copyOf(classes);
    }

    /** Index labels of the test reader must mean what they mean in the train reader. */
    private static void checkSameLabels(RecordReader test, List<String> classes, List<String> classNames) {
        List<String> testLabels = test.getLabels();
        if (classNames == null && testLabels != null && !testLabels.equals(classes)) {
            throw new DatasetFormatException(null, "expected the test records to have the train records' classes "
                    + classes + ", the test reader declares " + testLabels);
        }
    }

    private static RecordSplit scan(RecordReader reader, String which, List<String> classes) {
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            byName.putIfAbsent(classes.get(i), i);
        }
        List<RawImage> arrays = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        int index = 0;
        while (reader.hasNext()) {
            Record record = reader.nextRecord();
            RecordMetaData meta = record.getMetaData();
            String source = "record " + index + " of the " + which + " split"
                    + (meta == null ? "" : " (" + (meta.getURI() != null ? meta.getURI() : meta.getLocation()) + ")");
            Path file = meta == null ? null : fileOf(meta.getURI());
            List<Writable> w = record.getRecord();
            if (w == null || w.size() < 2) {
                throw new DatasetFormatException(file, source + ": expected [image, label], found "
                        + (w == null ? "no writables" : w.size() + " writable(s) " + w));
            }
            Writable image = w.get(0);
            if (image instanceof NDArrayWritable a) {
                String[] problem = new String[1];
                RawImage img = a.get() == null ? null : RecordImages.fromArray(a.get(), problem);
                if (img == null) {
                    throw new DatasetFormatException(file, source + ": expected " + (problem[0] == null
                            ? "an image array, found an empty NDArrayWritable" : problem[0]));
                }
                arrays.add(img);
                files.add(null);
            } else if (image instanceof Text t) {
                Path p = imagePath(t.toString(), file);
                if (!Files.isRegularFile(p)) {
                    throw new DatasetFormatException(p, source + ": expected the image file the record names ('"
                            + t + "'), it does not exist");
                }
                arrays.add(null);
                files.add(p);
            } else {
                throw new DatasetFormatException(file, source + ": expected an image first (an NDArrayWritable of "
                        + "pixels or a Text path), found " + image.getType() + " '" + image + "'");
            }
            labels.add(label(w.get(w.size() - 1), byName, classes, source, file));
            sources.add(source);
            index++;
        }
        if (index == 0) {
            throw new DatasetFormatException(null, "expected records in the " + which + " split, "
                    + reader.getClass().getSimpleName() + " has none");
        }
        return new RecordSplit(arrays, files, labels.stream().mapToInt(Integer::intValue).toArray(), sources);
    }

    private static int label(Writable label, Map<String, Integer> byName, List<String> classes, String source,
                             Path file) {
        WritableType type = label.getType();
        long value;
        switch (type) {
            case Int, Long, Byte -> value = label.toLong();
            case Float, Double -> {
                double d = label.toDouble();
                if (d != Math.rint(d)) {
                    throw new DatasetFormatException(file, source + ": expected a class index as label, found " + d);
                }
                value = (long) d;
            }
            case Text -> {
                Integer byLabelName = byName.get(label.toString());
                if (byLabelName != null) {
                    return byLabelName;
                }
                try {
                    value = Long.parseLong(label.toString().strip());
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, source + ": expected a label among the declared classes "
                            + abbreviate(classes) + ", found '" + label + "'");
                }
            }
            default -> throw new DatasetFormatException(file, source + ": expected a label last (a class index or "
                    + "name), found " + type + " '" + label + "'");
        }
        if (value < 0 || value >= classes.size()) {
            throw new DatasetFormatException(file, source + ": expected a label among the " + classes.size()
                    + " declared classes (0.." + (classes.size() - 1) + "), found " + value);
        }
        return (int) value;
    }

    private static String abbreviate(List<String> classes) {
        return classes.size() <= 10 ? classes.toString()
                : classes.subList(0, 10).toString().replace("]", ", ... (" + classes.size() + " in all)]");
    }

    private static Path fileOf(URI uri) {
        return uri != null && "file".equalsIgnoreCase(uri.getScheme()) ? Path.of(uri) : null;
    }

    /** A {@code file:} URI, an absolute path, or a path relative to the folder of the file the record came from. */
    private static Path imagePath(String text, Path recordFile) {
        String s = text.strip();
        if (s.regionMatches(true, 0, "file:", 0, 5)) {
            return Path.of(URI.create(s));
        }
        Path p = Path.of(s);
        if (p.isAbsolute() || recordFile == null || recordFile.getParent() == null) {
            return p;
        }
        return recordFile.getParent().resolve(p);
    }
}
