package io.github.sdlora4j.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes a one-partition DataFrame as one file ({@code OUT/predictions.csv}, not Spark's folder of part files):
 * Spark writes into a temporary folder next to the target, then its single part file is moved onto the target
 * (atomically on a local file system), so a failed write leaves the previous file, or none, and no half file.
 * Works on any Hadoop file system the cluster reaches (HDFS, S3A, ...).
 */
final class SingleFileOutput {

    private SingleFileOutput() {
    }

    /**
     * @param writer the writer of a one-partition DataFrame, format and options set
     * @param target the file to write
     */
    static void write(DataFrameWriter<Row> writer, String target, Configuration hadoop) throws IOException {
        Path file = new Path(target);
        FileSystem fs = file.getFileSystem(hadoop);
        Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writer.mode("errorifexists").save(tmp.toString());
            FileStatus[] parts = fs.globStatus(new Path(tmp, "part-*"));
            if (parts == null || parts.length != 1) {
                throw new IOException("expected Spark to write one part file in " + tmp + ", found "
                        + (parts == null ? 0 : parts.length));
            }
            if (fs instanceof LocalFileSystem local) {
                Files.move(java.nio.file.Path.of(local.pathToFile(parts[0].getPath()).toURI()),
                        java.nio.file.Path.of(local.pathToFile(file).toURI()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } else {
                fs.delete(file, false);
                if (!fs.rename(parts[0].getPath(), file)) {
                    throw new IOException("could not move " + parts[0].getPath() + " to " + file);
                }
            }
        } finally {
            fs.delete(tmp, true);
        }
    }
}
