package io.github.mqttsession.apps.scanned.model;

import org.springframework.data.jpa.repository.JpaRepository;

/** A repository found only through the application's {@code @EnableJpaRepositories}. */
public interface SensorRepository extends JpaRepository<Sensor, Long> {

}
