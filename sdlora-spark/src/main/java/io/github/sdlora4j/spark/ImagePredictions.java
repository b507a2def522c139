package io.github.sdlora4j.spark;

import io.github.sdlora4j.data.DatasetFormatException;
import io.github.sdlora4j.data.ImageDecoder;
import io.github.sdlora4j.data.RawImage;
import io.github.sdlora4j.examples.ImageClassifier;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an executor does with a partition of Spark's {@code binaryFile} rows (path, content, ...): decodes each image,
 * classifies them in batches with the learner — loaded once per executor JVM from the files the driver shipped with
 * {@code SparkContext.addFile} and shared by its task threads — and emits one row per image file: {@link #SCHEMA}. A
 * file that does not decode gets its error instead of a class; files without an image extension are skipped, as
 * {@code predict --images} skips them.
 */
final class ImagePredictions implements FlatMapFunction<Iterator<Row>, Row> {

    /** file (its URI), class_index, class_name; error (null for a classified image). */
    static final StructType SCHEMA = new StructType()
            .add("file", DataTypes.StringType, false)
            .add("class_index", DataTypes.IntegerType, true)
            .add("class_name", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true);

    static final int BATCH = 64;

    /** The loaded learners of this JVM, by the shipped checkpoint's name. */
    private static final Map<String, ImageClassifier> LOADED = new ConcurrentHashMap<>();

    private final String checkpointName;

    /** @param checkpointName the file name under which the driver added the checkpoint ({@code SparkFiles}) */
    ImagePredictions(String checkpointName) {
        this.checkpointName = checkpointName;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> files) {
        ImageClassifier classifier = LOADED.computeIfAbsent(checkpointName, name -> {
            try {
                return ImageClassifier.load(Path.of(SparkFiles.get(name)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<Row> out = new ArrayList<>();
        List<String> batchFiles = new ArrayList<>();
        List<RawImage> batch = new ArrayList<>();
        while (files.hasNext()) {
            Row file = files.next();
            String path = file.getString(file.fieldIndex("path"));
            if (!ImageClassifier.isImage(path.substring(path.lastIndexOf('/') + 1))) {
                continue;
            }
            try {
                batch.add(ImageDecoder.decode(Path.of(path), file.getAs("content")));
                batchFiles.add(path);
            } catch (DatasetFormatException e) {
                out.add(RowFactory.create(path, null, null, e.getMessage()));
            }
            if (batch.size() == BATCH) {
                classify(classifier, batchFiles, batch, out);
            }
        }
        classify(classifier, batchFiles, batch, out);
        return out.iterator();
    }

    private static void classify(ImageClassifier classifier, List<String> files, List<RawImage> images,
                                 List<Row> out) {
        int[] predicted = classifier.classify(images);
        for (int i = 0; i < predicted.length; i++) {
            out.add(RowFactory.create(files.get(i), predicted[i], classifier.classNames().get(predicted[i]), null));
        }
        files.clear();
        images.clear();
    }
}
