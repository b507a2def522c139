package io.github.sdlora4j.spark;

import io.github.sdlora4j.examples.ChecksBeforeBackend;
import io.github.sdlora4j.examples.ImageClassifier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * {@code sdlora spark-predict}: the class of every image of a collection, with a learner saved by {@code run}: the
 * images are read with Spark's {@code binaryFile} source, the learner (its merged model) is loaded once per
 * executor, and the predictions are written as one file. The classes are those {@code predict --images} prints for
 * the same files ({@link ImageClassifier} does both).
 */
@Command(name = "spark-predict", mixinStandardHelpOptions = true,
        description = "Predict the class of every image (png, jpg, jpeg, bmp, gif) under --images with a saved"
                + " learner on Spark; write --out/predictions.csv (file,class_index,class_name; one file) or"
                + " predictions.parquet. Images that do not decode are counted and listed in --out/unreadable.csv.")
final class SparkPredictCommand implements Callable<Integer>, ChecksBeforeBackend {

    static final String UNREADABLE = "unreadable.csv";
    private static final int LISTED = 10;

    /** The output formats. */
    enum Format { CSV, PARQUET }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    MasterOption master;

    @Option(names = "--checkpoint", required = true, description = "A learner.safetensors written by run (its"
            + " .classes.json next to it); shipped to the executors by Spark.")
    Path checkpoint;

    @Option(names = "--images", required = true, description = "A folder of images or a glob (e.g."
            + " 'photos/*/*.jpg'), on any file system Spark reads (file:, hdfs:, s3a:, ...).")
    String images;

    @Option(names = "--out", required = true, description = "Output folder (created; on any Hadoop file system).")
    String out;

    @Option(names = "--format", description = "csv (default) or parquet.", defaultValue = "csv")
    String format;

    @Option(names = "--strict", description = "Fail (exit 1, nothing written) if any image does not decode.")
    boolean strict;

    private Format chosen;

    @Override
    public void checkBeforeBackend() {
        try {
            chosen = Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be csv or parquet, got '"
                    + format + "'");
        }
        master.require();
        ChecksBeforeBackend.requireFile(checkpoint, "--checkpoint");
        Path side = ImageClassifier.classesFile(checkpoint);
        if (!Files.isRegularFile(side)) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + " needs the class side file " + side
                    + " that run writes next to the learner");
        }
        Path local = localPath(images);
        if (local != null && !hasGlob(images) && !Files.exists(local)) {
            throw new IllegalArgumentException("--images " + images + " does not exist");
        }
        Path localOut = localPath(out);
        if (localOut != null && Files.exists(localOut) && !Files.isDirectory(localOut)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (chosen == null) {
            checkBeforeBackend();
        }
        try (SparkSessions.Opened opened = master.open("sdlora spark-predict")) {
            SparkSession spark = opened.session();
            SparkContext sc = spark.sparkContext();
            Path absolute = checkpoint.toAbsolutePath();
            sc.addFile(absolute.toString());
            sc.addFile(ImageClassifier.classesFile(absolute).toString());
            Dataset<Row> files = spark.read().format("binaryFile").load(images);
            Dataset<Row> predicted = spark.createDataFrame(
                    files.javaRDD().mapPartitions(new ImagePredictions(absolute.getFileName().toString())),
                    ImagePredictions.SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
            try {
                return write(spark, predicted);
            } finally {
                predicted.unpersist();
            }
        }
    }

    private int write(SparkSession spark, Dataset<Row> predicted) throws Exception {
        List<Row> unreadable = predicted.filter(col("error").isNotNull()).select("file", "error").orderBy("file")
                .collectAsList();
        long classified = predicted.filter(col("error").isNull()).count();
        if (classified + unreadable.size() == 0) {
            throw new IllegalArgumentException("--images " + images + " holds no image files (png, jpg, jpeg, bmp,"
                    + " gif)");
        }
        if (!unreadable.isEmpty()) {
            StringBuilder list = new StringBuilder();
            for (Row r : unreadable.subList(0, Math.min(LISTED, unreadable.size()))) {
                list.append("\n  ").append(r.getString(1));
            }
            String more = unreadable.size() > LISTED ? "\n  ... and " + (unreadable.size() - LISTED) + " more" : "";
            if (strict) {
                throw new IllegalArgumentException(unreadable.size() + " of " + (classified + unreadable.size())
                        + " images do not decode (--strict):" + list + more);
            }
            System.out.printf("%d of %d images do not decode; listed in %s:%s%s%n", unreadable.size(),
                    classified + unreadable.size(), UNREADABLE, list, more);
        }
        String target = out + "/predictions." + chosen.name().toLowerCase(Locale.ROOT);
        var writer = predicted.filter(col("error").isNull()).select("file", "class_index", "class_name")
                .orderBy("file").coalesce(1).write().format(chosen.name().toLowerCase(Locale.ROOT));
        if (chosen == Format.CSV) {
            writer = writer.option("header", "true");
        }
        SingleFileOutput.write(writer, target, spark.sparkContext().hadoopConfiguration());
        String unreadableFile = out + "/" + UNREADABLE;
        if (!unreadable.isEmpty()) {
            SingleFileOutput.write(spark.createDataFrame(unreadable, unreadable.get(0).schema()).coalesce(1).write()
                    .format("csv").option("header", "true"), unreadableFile, spark.sparkContext().hadoopConfiguration());
        } else {
            org.apache.hadoop.fs.Path stale = new org.apache.hadoop.fs.Path(unreadableFile);
            stale.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(stale, false);
        }
        System.out.printf("%d images classified: %s%n", classified, target);
        return 0;
    }

    /** The local path of a location without a scheme or with {@code file:}; null for another file system. */
    static Path localPath(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location).getPath());
        }
        return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") ? null : Path.of(location);
    }

    private static boolean hasGlob(String location) {
        return location.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }
}
