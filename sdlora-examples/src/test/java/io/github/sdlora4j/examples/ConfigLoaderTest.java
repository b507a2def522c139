package io.github.sdlora4j.examples;

import io.github.sdlora4j.learner.EngineChoice;
import io.github.sdlora4j.learner.OptimizerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void unknownTopLevelKeyIsAnErrorWithSuggestionFileAndPath() throws IOException {
        Path file = TinyRuns.config(dir, "epoch: 3\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'epoch'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'epochs'?"), e.getMessage());
    }

    @Test
    void unknownNestedKeyNamesTheWholePath() throws IOException {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "dataset:\n  format: synthetic\n  initialClasses: 2\n  preprocessing:\n"
                + "    imageSze: 16\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().contains("'dataset.preprocessing.imageSze'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'imageSize'?"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheKeyAndTheReason() throws IOException {
        Path file = TinyRuns.config(dir, "method: sdlora-xx\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().contains("unknown method 'sdlora-xx'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean"), e.getMessage());
        Path json = dir.resolve("c.json");
        Files.writeString(json, "{\"dataset\": {\"format\": \"synthetic\", \"initialClasses\": 2}, \"epochs\": 0}");
        ConfigException e2 = assertThrows(ConfigException.class, () -> ConfigLoader.load(json));
        assertTrue(e2.getMessage().contains("epochs") && e2.getMessage().contains(">= 1"), e2.getMessage());
    }

    @Test
    void defaultsAreFilledInAndPrintedInTheEffectiveConfig() throws IOException {
        Path file = dir.resolve("min.json");
        Files.writeString(file, "{\"dataset\": {\"format\": \"synthetic\", \"initialClasses\": 10}}");
        RunConfig c = ConfigLoader.load(file);
        assertEquals("bundled", c.backbone());
        assertEquals("sdlora", c.method().name());
        assertEquals(EngineChoice.AUTO, c.engine());
        assertEquals(OptimizerConfig.REFERENCE_SGD, c.optimizerConfig());
        assertEquals(List.of(1993L), c.seeds());
        assertEquals(20, c.epochs());
        assertTrue(c.classOrderFromRunSeed());
        assertEquals(1994L, c.datasetFor(1994).classOrderSeed());
        var effective = ConfigLoader.effective(c);
        assertEquals(0.9, effective.get("optimizer").get("momentum").asDouble());
        assertEquals(128, effective.get("batchSize").asInt());
        assertEquals(224, effective.get("dataset").get("preprocessing").get("imageSize").asInt());
    }

    @Test
    void paperModeDefaultsToAdamAndAFixedClassOrderSeedIsKept() throws IOException {
        Path file = dir.resolve("paper.yaml");
        Files.writeString(file, "dataset: {format: synthetic, initialClasses: 10, classOrderSeed: 42}\nmode: paper\n");
        RunConfig c = ConfigLoader.load(file);
        assertEquals("adam", c.optimizerConfig().type());
        assertFalse(c.classOrderFromRunSeed());
        assertEquals(42L, c.datasetFor(1995).classOrderSeed());
    }

    @Test
    void everyBundledConfigParsesStrictly() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("configs"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 9, "expected the paper and offline configs, found " + files);
        for (Path f : files) {
            RunConfig c = ConfigLoader.load(f);
            assertTrue(Methods.all().containsKey(c.method().name()), f.toString());
        }
        assertEquals(ConfigLoader.load(Path.of("configs/demo.yaml")),
                ConfigLoader.loadResource(DemoCommand.DEMO_CONFIG));
    }

    @Test
    void aMethodBlockCarriesTheMethodsOwnSettingsStrictly() throws IOException {
        RunConfig c = ConfigLoader.load(TinyRuns.config(dir, "method: {name: sdlora-kd, kdThreshold: 0.01}\n"));
        assertEquals("sdlora-kd", c.method().name());
        assertEquals(0.01, c.method().settings(SdLoraKdMethod.Settings.class).kdThreshold());
        assertEquals(c, ConfigLoader.load(TinyRuns.config(dir, "method:\n  name: sdlora-kd\n  kdThreshold: 0.01\n")));
        var effective = ConfigLoader.effective(c).get("method");
        assertEquals("sdlora-kd", effective.get("name").asText());
        assertEquals(0.01, effective.get("kdThreshold").asDouble());
        assertEquals("sdlora", ConfigLoader.effective(c.withMethod("sdlora")).get("method").asText(),
                "a method without settings prints as its name");
        assertEquals(9e-4, ConfigLoader.load(TinyRuns.config(dir, "method: sdlora-kd\n")).method()
                .settings(SdLoraKdMethod.Settings.class).kdThreshold(), "defaults without a block");

        ConfigException typo = rejected("method: {name: sdlora-kd, kdThreshhold: 0.01}\n");
        assertTrue(typo.getMessage().contains("unknown key 'method.kdThreshhold'")
                && typo.getMessage().contains("did you mean 'kdThreshold'?"), typo.getMessage());
        ConfigException other = rejected("method: {name: sdlora, kdThreshold: 0.01}\n");
        assertTrue(other.getMessage().contains("unknown key 'method.kdThreshold'")
                && other.getMessage().contains("known keys here: name"), other.getMessage());
        ConfigException bad = rejected("method: {name: sdlora-kd, kdThreshold: -1}\n");
        assertTrue(bad.getMessage().contains("at 'method'") && bad.getMessage().contains("kdThreshold must be"),
                bad.getMessage());
    }

    @Test
    void aTopLevelKdThresholdSaysHowToRewriteIt() throws IOException {
        ConfigException e = rejected("method: sdlora-kd\nkdThreshold: 0.002\n");
        assertTrue(e.getMessage().contains("method: {name: sdlora-kd, kdThreshold: 0.002}"), e.getMessage());
    }

    @Test
    void theEngineIsAConfigKey() throws IOException {
        assertEquals(EngineChoice.SAMEDIFF, ConfigLoader.load(TinyRuns.config(dir, "engine: samediff\n")).engine());
        ConfigException e = rejected("engine: gpu\n");
        assertTrue(e.getMessage().contains("engine=gpu is not an engine") && e.getMessage().contains("samediff"),
                e.getMessage());
    }

    @Test
    void theThreadsAreAConfigKeyLeftOutOfTheEffectiveConfigByDefault() throws IOException {
        RunConfig three = ConfigLoader.load(TinyRuns.config(dir, "threads: 3\n"));
        assertEquals(3, three.threads());
        assertEquals(3, ConfigLoader.effective(three).get("threads").asInt());
        RunConfig zero = ConfigLoader.load(TinyRuns.config(dir, "threads: 0\n"));
        assertNull(zero.threads(), "0 is the default");
        assertFalse(ConfigLoader.effective(zero).has("threads"), "runs written before the key must still resume");
        ConfigException e = rejected("threads: -2\n");
        assertTrue(e.getMessage().contains("threads must be >= 1") && e.getMessage().contains("-2"), e.getMessage());
    }

    /** The error loading a config file with {@code yaml} raises. */
    private ConfigException rejected(String yaml) throws IOException {
        Path file = TinyRuns.config(dir, yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
    }
}
