package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.DataCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The manifest's training engine comes from a learner the run trains, not from one built only to be asked. */
class ManifestLearnerTest {

    @TempDir
    Path dir;

    @Test
    void theRunBuildsOneLearnerPerSeedAndNoneForTheManifest() throws Exception {
        Path file = TinyRuns.config(dir, "epochs: 1\n");
        Files.writeString(file, Files.readString(file).replace("seeds: [1993]", "seeds: [1, 2]"));
        RunConfig config = ConfigLoader.load(file);
        AtomicInteger built = new AtomicInteger();
        Methods.Method sdlora = Methods.require("sdlora");
        Methods.Method counting = new Methods.Method(sdlora.name(), sdlora.description(), sdlora.settings(),
                (c, b, s, n) -> {
                    built.incrementAndGet();
                    return sdlora.factory().create(c, b, s, n);
                }, null, true);
        Path out = dir.resolve("out");
        new ProtocolRunner(config, counting, out, new PrintStream(new ByteArrayOutputStream()), null)
                .run(false, DataCheck.Depth.HEADERS);
        assertEquals(2, built.get(), "one learner per seed");
        JsonNode m = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.MANIFEST).toFile());
        assertEquals("fused", m.get("backend").get("training_engine").asText(), "the tests run with the vector module");
    }
}
