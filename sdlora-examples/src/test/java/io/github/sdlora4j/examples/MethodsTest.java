package io.github.sdlora4j.examples;

import io.github.sdlora4j.inflora.MemoryThreshold;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.InfLoraLearner;
import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.learner.EngineChoice;
import io.github.sdlora4j.learner.JointLearner;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.SdLoraMode;
import io.github.sdlora4j.learner.SequentialLoraLearner;
import io.github.sdlora4j.learner.SimpleCilLearner;
import io.github.sdlora4j.learner.TrainingScope;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MethodsTest {

    @TempDir
    Path dir;

    @Test
    void registryBuildsTheRightLearnerForEveryName() throws Exception {
        RunConfig c = ConfigLoader.load(TinyRuns.config(dir,
                "method: {name: sdlora-kd, kdThreshold: 0.01}\nmode: paper\nrank: 4\nengine: samediff\nthreads: 3\n"));
        VitWeights b = VitWeights.random(VitConfig.TINY_TEST, 1, DataType.FLOAT);
        assertEquals(List.of("sdlora", "sdlora-rr", "sdlora-kd", "inflora", "seq-lora", "simplecil", "joint"),
                List.copyOf(Methods.all().keySet()));
        SdLoraLearner plain = (SdLoraLearner) create("sdlora", c, b);
        assertEquals(RankSchedule.constant(4), plain.config().ranks());
        assertEquals(SdLoraMode.PAPER, plain.config().mode());
        assertEquals("sgd", plain.config().optimizer().type(), "the config's explicit optimizer wins over the mode's");
        assertEquals(0.05, plain.config().optimizer().learningRate());
        assertEquals(7L, plain.config().seed());
        assertEquals(RankSchedule.DEFAULT_REDUCTION, ((SdLoraLearner) create("sdlora-rr", c, b)).config().ranks());
        SdLoraLearner kd = (SdLoraLearner) create("sdlora-kd", c, b);
        assertTrue(kd.config().knowledgeDistillation());
        assertEquals(0.01, kd.config().kdThreshold());
        InfLoraLearner inflora = (InfLoraLearner) create("inflora", c, b);
        assertEquals(4, inflora.config().rank());
        assertEquals(0.05, inflora.config().optimizer().learningRate(), "the run's optimizer, as for every method");
        assertEquals(3, inflora.config().tasks());
        assertEquals(MemoryThreshold.DEFAULT, inflora.config().threshold());
        assertEquals(EngineChoice.SAMEDIFF, inflora.engineChoice());
        assertNotNull(Methods.require("inflora").store());
        RunConfig thresholds = ConfigLoader.load(TinyRuns.config(java.nio.file.Files.createDirectories(dir.resolve("t")),
                "method: {name: inflora, thresholdFirst: 0.9, thresholdLast: 0.99}\n"));
        assertEquals(new MemoryThreshold(0.9, 0.99), ((InfLoraLearner) Methods.require("inflora")
                .create(thresholds, b, 7L, 3)).config().threshold());
        assertInstanceOf(SequentialLoraLearner.class, create("seq-lora", c, b));
        assertInstanceOf(SimpleCilLearner.class, create("simplecil", c, b));
        ClassIncrementalLearner joint = create("joint", c, b);
        assertInstanceOf(JointLearner.class, joint);
        assertEquals(TrainingScope.ALL_SEEN_CLASSES, joint.trainingScope());
        assertNotNull(Methods.require("sdlora-kd").store());
        assertNull(Methods.require("joint").store());
        assertFalse(Methods.require("simplecil").trains());
        assertEquals(EngineChoice.SAMEDIFF, ((SdLoraLearner) create("sdlora", c, b)).engineChoice(),
                "the config's engine reaches the learner");
        assertEquals(FusedThreads.setInEnvironment() ? 0 : 3, ((SdLoraLearner) create("sdlora", c, b)).threads(),
                "the config's threads reach the learner unless " + FusedThreads.ENV + " overrides them");
        assertEquals(9e-4, ((SdLoraLearner) Methods.require("sdlora-kd").create(c.withMethod("sdlora")
                .withMethod("sdlora-kd"), b, 7L, 3)).config().kdThreshold(), "another method's block does not carry over");
    }

    @Test
    void unknownMethodSuggestsTheClosest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.require("seqlora"));
        assertTrue(e.getMessage().contains("did you mean 'seq-lora'?"), e.getMessage());
    }

    private static ClassIncrementalLearner create(String name, RunConfig c, VitWeights b) {
        return Methods.require(name).create(c.withMethod(name), b, 7L, 3);
    }
}
