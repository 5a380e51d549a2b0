package io.github.mqttsession.apps.scanned;

import io.github.mqttsession.apps.scanned.model.Sensor;
import io.github.mqttsession.apps.scanned.model.SensorRepository;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/** An application that narrows entity and repository scanning to a package of its own. */
@SpringBootApplication
@EntityScan(basePackageClasses = Sensor.class)
@EnableJpaRepositories(basePackageClasses = SensorRepository.class)
public class ScannedApplication {

}
