package io.github.sdlora4j.examples;

import io.github.sdlora4j.Backend;
import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.learner.NonFiniteLossException;
import io.github.sdlora4j.learner.TrainingEngine;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * The {@code sdlora} command: runs the class-incremental protocol from a configuration and works with its outputs.
 * Exit codes: 0 success, 1 error (bad config, data or input, I/O), 2 usage error, 3 training stopped inside a task
 * (the loss or the parameters became NaN/Inf, or a step failed); the message names seed, task, epoch and step.
 */
@Command(name = "sdlora", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "SD-LoRA class-incremental learning on Deeplearning4j.",
        footer = {"", "The ./sdlora launcher also runs 'sdlora bench ...' (the benchmarks module's BenchmarkSuite).",
                "Exit codes: 0 ok, 1 error, 2 usage, 3 training stopped inside a task (NaN/Inf or a failing step)."},
        subcommands = {DemoCommand.class, RunCommand.class, CompareCommand.class, PredictCommand.class,
                ExportCommand.class, PretrainCommand.class})
public final class SdloraCli implements Runnable {

    /** Exit code when training stopped inside a task (non-finite loss or parameters, or a failing step). */
    public static final int EXIT_TRAINING_STOPPED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** slf4j-simple reads its level once, when the first logger is made: this option is parsed before that. */
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Log at INFO level, ND4J's start-up banner included (default: warnings, and sdlora4j's"
                    + " own progress).")
    void verbose(boolean on) {
        if (on) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** Builds the command line with error handling: one clear message, no stack trace (unless --stacktrace env). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SdloraCli());
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            if (System.getenv("SDLORA_STACKTRACE") != null) {
                e.printStackTrace();
            }
            line.getErr().println("sdlora " + line.getCommandName() + ": " + describe(e));
            boolean stopped = e instanceof NonFiniteLossException || e instanceof TrainingStoppedException;
            return stopped ? EXIT_TRAINING_STOPPED : 1;
        });
        cl.setExecutionStrategy(SdloraCli::checkBackendThenRun);
        return cl;
    }

    /** The message of {@code e}, with the file named and the problem said where Java gives only the path. */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + " does not exist";
        }
        if (e instanceof AccessDeniedException a && a.getReason() == null) {
            return a.getFile() + ": permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * Runs help and version requests as usual; any subcommand first checks its arguments and config where it can
     * without ND4J ({@link ChecksBeforeBackend}: usage errors exit 2, config errors 1, both before the backend
     * starts), then that ND4J's backend can run here, so an unsupported GPU is an error message before ND4J's CUDA
     * backend starts (and can fail in native code), and that the training engine asked for can run.
     */
    private static int checkBackendThenRun(CommandLine.ParseResult parseResult) {
        Integer help = CommandLine.executeHelpRequest(parseResult);
        if (help != null) {
            return help;
        }
        List<CommandLine> commands = parseResult.asCommandLineList();
        CommandLine last = commands.get(commands.size() - 1);
        if (last.getCommand() != null && !(last.getCommand() instanceof SdloraCli)) {
            if (last.getCommand() instanceof ChecksBeforeBackend early) {
                try {
                    early.checkBeforeBackend();
                } catch (CommandLine.ParameterException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CommandLine.ExecutionException(last, describe(e), e);
                }
            }
            try {
                Backend.checkSupported();
                TrainingEngine.selected(DataType.FLOAT); // a bad -Dsdlora.engine fails here, not mid-run
                FusedThreads.defaultThreads(); // and so does a bad SDLORA_THREADS
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new CommandLine.ExecutionException(last, e.getMessage(), e);
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}
