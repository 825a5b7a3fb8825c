package protocodec_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/procpool/supervisor/supervisor/protocodec"
)

func TestRoundTrip(t *testing.T) {
	c := protocodec.For[*structpb.Struct]()
	in, err := structpb.NewStruct(map[string]any{"width": 640.0, "name": "cat.png"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Decode(b)
	if err != nil || !proto.Equal(in, out) {
		t.Fatalf("got %v, %v; want %v", out, err, in)
	}
	if _, err := c.Decode([]byte{0xff}); err == nil {
		t.Error("decoding garbage should fail")
	}
}
