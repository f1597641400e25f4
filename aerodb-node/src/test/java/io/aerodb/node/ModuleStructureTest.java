package io.aerodb.node;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.aerodb.node.raft.RaftDivision;
import io.aerodb.ratis.LogEntryCodec;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shape of the code base, checked by the build (docs/ARCHITECTURE.md, "Packages and layers"):
 * no package cycle in any module; aerodb-node's packages in the layers the architecture describes,
 * each used only from above; the internal log formats read and built only by the log-entry codec;
 * the Raft division looked up in one place. Reads the main classes of every module on this test
 * classpath (core, ratis, client, proto, node).
 */
class ModuleStructureTest {
  private static final JavaClasses AERODB =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          // aerodb-core's test jar (TestSeeds) is on this classpath too
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("io.aerodb");

  /** aerodb-ratis and aerodb-client are one package each; core and node have sub-packages. */
  @ParameterizedTest
  @ValueSource(strings = {"core", "node"})
  void noModuleHasAPackageCycle(String module) {
    slices().matching("io.aerodb." + module + ".(*)..").should().beFreeOfCycles().check(AERODB);
  }

  @Test
  void modulesDependInOneDirection() {
    slices().matching("io.aerodb.(*)..").should().beFreeOfCycles().check(AERODB);
  }

  @Test
  void nodePackagesAreLayered() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("cli")
        .definedBy("io.aerodb.node.cli..")
        .layer("server")
        .definedBy("io.aerodb.node.server..")
        .layer("api")
        .definedBy("io.aerodb.node.api..")
        .layer("observe")
        .definedBy("io.aerodb.node.observe..")
        .layer("recover")
        .definedBy("io.aerodb.node.recover..")
        .layer("promotion")
        .definedBy("io.aerodb.node.promotion..")
        .layer("install")
        .definedBy("io.aerodb.node.install..")
        .layer("backup")
        .definedBy("io.aerodb.node.backup..")
        .layer("gc")
        .definedBy("io.aerodb.node.gc..")
        .layer("raft")
        .definedBy("io.aerodb.node.raft..")
        .layer("storage")
        .definedBy("io.aerodb.node.storage..")
        .layer("events")
        .definedBy("io.aerodb.node.events..")
        .layer("config")
        .definedBy("io.aerodb.node.config..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("server")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("server")
        .whereLayer("observe")
        .mayOnlyBeAccessedByLayers("server", "api")
        .whereLayer("recover")
        .mayOnlyBeAccessedByLayers("server", "cli")
        .whereLayer("promotion")
        .mayOnlyBeAccessedByLayers("server", "api", "observe")
        .whereLayer("install")
        .mayOnlyBeAccessedByLayers("server", "api")
        .whereLayer("backup")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("gc")
        .mayOnlyBeAccessedByLayers("server")
        .whereLayer("raft")
        .mayOnlyBeAccessedByLayers(
            "server", "api", "promotion", "recover", "install", "gc", "backup")
        .whereLayer("storage")
        .mayOnlyBeAccessedByLayers("server", "recover", "install", "backup")
        .whereLayer("events")
        .mayOnlyBeAccessedByLayers("server", "api", "observe", "promotion")
        .check(AERODB);
  }

  @Test
  void onlyTheLogEntryCodecTouchesTheInternalLogFormats() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.aerodb.proto.internal..")
        .and(not(belongToAnyOf(LogEntryCodec.class)))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.aerodb.proto.internal..")
        .check(AERODB);
  }

  @Test
  void onlyRaftDivisionLooksUpTheDivision() {
    noClasses()
        .that(not(belongToAnyOf(RaftDivision.class)))
        .should()
        .callMethod(RaftServer.class, "getDivision", RaftGroupId.class)
        .check(AERODB);
  }
}
