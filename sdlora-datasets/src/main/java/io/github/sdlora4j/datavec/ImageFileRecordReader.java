package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.DatasetFormatException;
import io.github.sdlora4j.data.ImageDecoder;
import org.datavec.api.io.labels.PathLabelGenerator;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.records.metadata.RecordMetaDataURI;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;

import java.io.DataInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A DataVec {@code RecordReader} over the JPEG/PNG files of an {@link InputSplit} (a {@code FileSplit}, a
 * {@code CollectionInputSplit}, or either narrowed by a path filter), labelled by a DataVec
 * {@link PathLabelGenerator} such as {@code ParentPathLabelGenerator}: DataVec's {@code ImageRecordReader} without
 * OpenCV (images decoded with {@code javax.imageio}).
 *
 * <p>{@link #decoding} yields {@code [NDArrayWritable [1, C, H, W] of pixel values 0–255, IntWritable label]} as
 * {@code ImageRecordReader} does (at each image's own size; C = 1 for grayscale files, else 3); {@link #paths}
 * yields {@code [Text file URI, IntWritable label]}, which {@link RecordReaderDataset} decodes lazily on the
 * benchmark's threads. Files of other extensions in the split are skipped. When the generator infers label classes,
 * {@link #getLabels()} is the sorted set of their names and the label is the index in it; otherwise the generator's
 * writable is passed on.
 */
public final class ImageFileRecordReader extends IndexedRecordReader {

    private static final long serialVersionUID = 1L;

    private final PathLabelGenerator labelGenerator;
    private final boolean decode;
    private transient List<URI> files = List.of();
    private List<String> labels;

    private ImageFileRecordReader(PathLabelGenerator labelGenerator, boolean decode) {
        super("no more image files; call reset()");
        this.labelGenerator = Objects.requireNonNull(labelGenerator, "labelGenerator");
        this.decode = decode;
    }

    /** Records {@code [image array, label]}, as DataVec's {@code ImageRecordReader}. */
    public static ImageFileRecordReader decoding(PathLabelGenerator labelGenerator) {
        return new ImageFileRecordReader(labelGenerator, true);
    }

    /** Records {@code [file URI, label]}: nothing decoded until a batch needs the image. */
    public static ImageFileRecordReader paths(PathLabelGenerator labelGenerator) {
        return new ImageFileRecordReader(labelGenerator, false);
    }

    /** @return whether {@code uri} names a file of an image extension this reader reads */
    public static boolean isImage(URI uri) {
        String p = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
        return p.endsWith(".jpg") || p.endsWith(".jpeg") || p.endsWith(".png");
    }

    @Override
    public void initialize(InputSplit split) {
        this.inputSplit = split;
        List<URI> images = new ArrayList<>();
        split.locationsIterator().forEachRemaining(u -> {
            if (isImage(u)) {
                images.add(u);
            }
        });
        files = List.copyOf(images);
        if (labelGenerator.inferLabelClasses()) {
            TreeSet<String> names = new TreeSet<>();
            for (URI u : files) {
                names.add(labelGenerator.getLabelForPath(u).toString());
            }
            labels = List.copyOf(names);
        } else {
            labels = null;
        }
        reset();
    }

    @Override
    int size() {
        return files.size();
    }

    @Override
    Record record(int index) {
        return recordAt(files.get(index));
    }

    private Record recordAt(URI uri) {
        return new org.datavec.api.records.impl.Record(recordFor(uri), new RecordMetaDataURI(uri, getClass()));
    }

    private List<Writable> recordFor(URI uri) {
        Writable image = decode ? RecordImages.toWritable(ImageDecoder.decode(fileOf(uri))) : new Text(uri.toString());
        return List.of(image, label(uri));
    }

    private Writable label(URI uri) {
        Writable w = labelGenerator.getLabelForPath(uri);
        if (labels == null) {
            return w;
        }
        return new IntWritable(labels.indexOf(w.toString()));
    }

    private static Path fileOf(URI uri) {
        if (!"file".equalsIgnoreCase(uri.getScheme())) {
            throw new DatasetFormatException(null, uri + ": expected a file: URI, this reader reads local files only");
        }
        return Path.of(uri);
    }

    @Override
    public List<String> getLabels() {
        return labels;
    }

    /** Reads one image from {@code uri} (the stream is not used: files are decoded by path). */
    @Override
    public List<Writable> record(URI uri, DataInputStream dataInputStream) {
        return recordFor(uri);
    }

    @Override
    public Record loadFromMetaData(RecordMetaData recordMetaData) {
        return recordAt(recordMetaData.getURI());
    }
}
