#!/bin/bash
# One-node Apache Kafka (KRaft) for docker-compose: clients authenticate with SASL/SCRAM-SHA-512 and are
# authorised by ACLs (StandardAuthorizer, nothing allowed without an ACL). The users and their passwords
# come from secret files: the admin (kafka-init, inter-broker) and one user per service ($KAFKA_USERS).
# SCRAM credentials are written when the storage is first formatted; change a password later with
# kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type users --entity-name <user>.
set -euo pipefail

secret() { tr -d '\n' < "/run/secrets/$1"; }
admin_password=$(secret kafka_admin_password)
props=/tmp/server.properties
cat > "$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
# The controller listener is loopback-only inside this container; clients reach SASL_PLAINTEXT only.
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=SASL_PLAINTEXT://kafka:9092
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin_password}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:ANONYMOUS
auto.create.topics.enable=false
log.dirs=/var/lib/kafka/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
EOF
scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=${admin_password}]")
for user in $KAFKA_USERS; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=${user},password=$(secret "${user//-/_}_kafka_password")]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$KAFKA_CLUSTER_ID" -c "$props" "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$props"
