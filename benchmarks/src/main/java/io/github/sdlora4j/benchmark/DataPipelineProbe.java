package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;

import java.util.List;

/**
 * Hook for the data section: how many images per second an input pipeline (decode, augment, batch) delivers.
 * Implementations are found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry naming this
 * interface), so the datasets module can contribute one without this module depending on it. With none on the
 * classpath the suite reports the data figures as not measured.
 */
public interface DataPipelineProbe {

    /** Short name for the report, e.g. {@code sdlora-datasets}. */
    String name();

    /**
     * Measures the pipelines this probe knows (e.g. the synthetic set and a folder of JPEGs) for batches shaped for
     * {@code model}.
     *
     * @param quick whether to keep the measurement short (CI)
     * @return one entry per pipeline; never empty
     * @throws Exception when a pipeline cannot run; the suite reports it as not measured with the message
     */
    List<Throughput> measure(VitConfig model, int batch, boolean quick) throws Exception;

    /**
     * Images per second one pipeline delivered.
     *
     * @param pipeline snake_case name, e.g. {@code synthetic} or {@code jpeg_folder}
     * @param note     what was measured (image count, augmentation, threads)
     */
    record Throughput(String pipeline, double imagesPerSecond, String note) {
    }
}
